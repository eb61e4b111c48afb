"""`Model`: a layer with a training API. compile/fit/evaluate/predict delegate to the engine.

Example:
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((8, 3)), np.zeros(8), epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2
"""
from __future__ import annotations

from lamina.engine import learner_checks, trainer
from lamina.engine.compile_utils import metric_results
from lamina.engine.compiled_run import CompiledRun
from lamina.engine.data import unpack_x_y_sample_weight
from lamina.engine.step import results_as_logs
from lamina.layers.core.input_layer import InputLayer
from lamina.layers.layer import Layer, misnamed_call_hint, tracked_metrics
from lamina.models.sublayer_shapes import output_shape_from_build
from lamina.utils import summary_utils
from lamina.utils.errors import suggests_argument_names

__all__ = ["Model"]


class Model(Layer):
    """Groups layers into an object with training and inference features.

    `Model(inputs, outputs)` builds a functional model (a graph of layers); subclassing
    `Model` and writing `call` builds a subclassed one, as in Keras.

    Example:
        >>> inputs = lamina.Input(shape=(4,))
        >>> outputs = lamina.layers.Dense(2)(inputs)
        >>> Model(inputs, outputs).count_params()
        10
    """

    # Text reaches the model's first layers as NumPy arrays; a TextVectorization there takes it.
    _accepts_string_inputs = True
    # Integer inputs reach the first layers as given (an Embedding's indices stay exact).
    _casts_integer_inputs = False

    _is_model = True  # read by `tracked_metrics`, which sits below the models

    def __new__(cls, *args, **kwargs):
        # Only `Model(inputs, outputs)` itself becomes a graph here: a subclass' constructor
        # arguments are its own (`VariationalAutoEncoder(784, 64, 32)`); a subclass becomes
        # functional when it passes inputs and outputs to `super().__init__`, as in Keras.
        if cls is Model and _is_functional_call(args, kwargs):
            return Layer.__new__(_functional_class(cls), *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        from lamina.models.functional import Functional

        if _is_functional_call(args, kwargs) and not isinstance(self, Functional):
            # `super().__init__(inputs=..., outputs=...)` inside a subclass' __init__.
            _inject_functional(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        if {"input", "output"} & set(kwargs):
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{sorted({'input', 'output'} & set(kwargs))}. The functional API "
                             f"takes `inputs` and `outputs` (plural): "
                             f"keras.Model(inputs=inputs, outputs=outputs).")
        super().__init__(*args, **kwargs)
        # The compile state and the step functions live in one object (engine/compiled_run.py);
        # `optimizer`, `loss`, `jit_compile`, ... below are Keras' names for its parts.
        self._compiled_run = None
        self.stop_training = False
        self.history = None
        self._compiled = False

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Model {type(self).__name__} does not have a `call()` method "
                                  f"implemented.{misnamed_call_hint(type(self))}")

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Model":
        """Recreates a model: a functional graph from its layers and nodes, else `cls(**config)`.

        As in Keras, a graph config revives as `cls` itself only when `cls` is a graph model
        or takes the graph model's arguments; a subclass with its own constructor gets its
        config passed to that constructor.
        """
        from lamina.models.functional import Functional

        graph_config = all(key in config for key in ("layers", "input_layers", "output_layers"))
        if graph_config and (cls in (Model, Functional) or _takes_graph_arguments(cls)):
            from lamina.saving.functional_config import functional_from_config

            return functional_from_config(config, custom_objects,
                                          cls=None if cls is Model else cls)
        return cls(**config)

    # ------------------------------------------------------------------ layers
    @property
    def layers(self) -> list[Layer]:
        """The model's layers (an InputLayer is not listed, as in Keras 3)."""
        return [m for m in self._sublayers()]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by `name` or by `index` (in `model.layers`)."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index at `get_layer`.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        names = [layer.name for layer in self.layers]
        raise ValueError(f"No such layer: {name}. Existing layers are: {names}.")

    # ------------------------------------------------------------------ training API
    @suggests_argument_names
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True) -> None:
        """Configures the model for training.

        Args:
            optimizer: name ('adam', 'sgd', ...) or optimizer instance.
            loss: name, function or `Loss`; a dict or list for several outputs.
            loss_weights: scalars weighting each output's loss.
            metrics: names ('accuracy', 'mae', ...), functions or `Metric`s; a bare string is
                accepted too (TF-2 books write `metrics='accuracy'`).
            run_eagerly: run every step eagerly, never compiled or captured (debugging).
            steps_per_execution: batches each call of the train function runs; batch-level
                callbacks are called once per execution, as in Keras.
            jit_compile: 'auto' (CUDA: the step captured in a CUDA graph; CPU: compiled only
                when the fit is long enough to repay it), True (`torch.compile`, then
                capture on CUDA), False (eager). See docs/engine.md.
            auto_scale_loss: with the 'mixed_float16' policy, wrap the optimizer in a
                `LossScaleOptimizer` (dynamic loss scaling), as Keras does.

        Example:
            >>> model = lamina.Sequential([lamina.Input((4,)),
            ...                            lamina.layers.Dense(3, activation="softmax")])
            >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
            ...               metrics=["accuracy"])
        """
        if metrics is None and _looks_like_metrics(loss_weights):
            # TF-2's positional order was compile(optimizer, loss, metrics): books print
            # compile("rmsprop", "mse", ["mae"]), which Keras 3 reads as loss_weights.
            metrics, loss_weights = loss_weights, None
        previous = self._compiled_run
        if previous is not None and previous.compiled_loss is not None:
            # Keras keeps what an earlier compile set and this one leaves out: recompiling
            # with a new optimizer (fine-tuning) keeps the loss and the metrics.
            if loss is None:
                loss = previous.loss
                loss_weights = loss_weights if loss_weights is not None else \
                    previous.compiled_loss.loss_weights
            if metrics is None and weighted_metrics is None:
                metrics, weighted_metrics = previous.metrics_spec
        learner_checks.warn_output_activation(self, loss)
        if isinstance(metrics, str):
            metrics = [metrics]
        if isinstance(weighted_metrics, str):
            weighted_metrics = [weighted_metrics]
        learner_checks.check_compile_metrics(metrics, weighted_metrics)
        # A new run: its engine is rebuilt on the next fit/evaluate with the new loss and metrics.
        self._compiled_run = CompiledRun(
            self, optimizer=optimizer, loss=loss, loss_weights=loss_weights, metrics=metrics,
            weighted_metrics=weighted_metrics, run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution, jit_compile=jit_compile,
            auto_scale_loss=auto_scale_loss)
        self._compiled = True

    # Keras' names for the compile state, read from (and written to) the compiled run.
    compiled = property(lambda self: self._compiled, doc="Whether compile() has been called.")
    optimizer = property(lambda self: _run_attribute(self, "optimizer"),
                         lambda self, value: _set_run_attribute(self, "optimizer", value))
    loss = property(lambda self: _run_attribute(self, "loss"),
                    lambda self, value: _set_run_attribute(self, "loss", value))
    compiled_loss = property(lambda self: _run_attribute(self, "compiled_loss"))
    run_eagerly = property(lambda self: _run_attribute(self, "run_eagerly", False),
                           lambda self, value: _set_run_attribute(self, "run_eagerly", value))
    jit_compile = property(lambda self: _run_attribute(self, "jit_compile", "auto"),
                           lambda self, value: _set_run_attribute(self, "jit_compile", value))
    steps_per_execution = property(
        lambda self: _run_attribute(self, "steps_per_execution", 1),
        lambda self, value: _set_run_attribute(self, "steps_per_execution", value))
    _metrics_spec = property(lambda self: _run_attribute(self, "metrics_spec"))
    # compile_config records the optimizer unwrapped (no LossScaleOptimizer), as Keras does.
    _compile_optimizer = property(lambda self: _run_attribute(self, "compile_optimizer"))
    _engine = property(lambda self: _run_attribute(self, "engine"))

    @property
    def compiled_metrics(self):
        """The compiled metrics (loss trackers included), once a fit/evaluate has built them."""
        engine = self._engine
        return None if engine is None else engine.metrics

    def make_train_function(self, force: bool = False):
        """Keras' hook: the function `fit` calls on each execution's batches."""
        return self._compiled_run.make_train_function(force)

    def make_test_function(self, force: bool = False):
        """Keras' hook: the function `evaluate` calls on each execution's batches."""
        return self._compiled_run.make_test_function(force)

    def make_predict_function(self, force: bool = False):
        """Keras' hook: the function `predict` calls on each execution's batches."""
        return self._compiled_run.make_predict_function(force)

    @suggests_argument_names
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for `epochs` epochs; returns a `History`.

        Example:
            >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
            >>> model.compile(optimizer="sgd", loss="mse")
            >>> history = model.fit(np.ones((10, 3)), np.zeros(10), epochs=2, verbose=0,
            ...                     validation_split=0.2)
            >>> sorted(history.history), history.epoch
            (['loss', 'val_loss'], [0, 1])
        """
        learner_checks.warn_unscaled_images(self, x)
        return trainer.fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                           callbacks=callbacks, validation_split=validation_split,
                           validation_data=validation_data, shuffle=shuffle,
                           class_weight=class_weight, sample_weight=sample_weight,
                           initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
                           validation_steps=validation_steps,
                           validation_batch_size=validation_batch_size,
                           validation_freq=validation_freq)

    @suggests_argument_names
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """Loss and metrics on `x`, `y`: `[loss, metric...]`, a float, or a dict.

        Example:
            >>> model = lamina.Sequential([lamina.Input((3,)),
            ...                            lamina.layers.Dense(2, activation="softmax")])
            >>> model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            >>> loss, accuracy = model.evaluate(np.ones((4, 3)), np.array([0, 1, 1, 0]), verbose=0)
        """
        return trainer.evaluate(self, x, y, batch_size=batch_size, verbose=verbose,
                                sample_weight=sample_weight, steps=steps, callbacks=callbacks,
                                return_dict=return_dict)

    @suggests_argument_names
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for `x` as float32 NumPy arrays (probabilities for softmax).

        Example:
            >>> model = lamina.Sequential([lamina.Input((3,)),
            ...                            lamina.layers.Dense(10, activation="softmax")])
            >>> model.predict(np.ones((5, 3)), verbose=0).shape
            (5, 10)
        """
        return trainer.predict(self, x, batch_size=batch_size, verbose=verbose, steps=steps,
                               callbacks=callbacks)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient update on one batch; returns the loss and metrics of that batch."""
        return trainer.train_on_batch(self, x, y, sample_weight=sample_weight,
                                      class_weight=class_weight, return_dict=return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics of one batch, without updating the weights."""
        return trainer.test_on_batch(self, x, y, sample_weight=sample_weight,
                                     return_dict=return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy."""
        return trainer.predict_on_batch(self, x)

    # ------------------------------------------------------------------ step hooks
    def train_step(self, data):
        """One training step on a batch `data` = x, (x, y) or (x, y, sample_weight).

        Override it to customise what `fit` does (Keras' hook); return a dict of logs.
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        self._engine.train_step(x, y, sample_weight)
        return self._engine.lazy_logs()

    def test_step(self, data):
        """One evaluation step on a batch; override it to customise `evaluate`."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        self._engine.test_step(x, y, sample_weight)
        return self._engine.lazy_logs()

    def predict_step(self, data):
        """The outputs for one batch; override it to customise `predict`."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self._engine.predict_step(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of `y_pred` against `y`, plus regularization and `add_loss` terms.

        Example:
            >>> model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
            >>> model.compile(optimizer="sgd", loss="mse")
            >>> x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
            >>> _ = model.fit(x, y, verbose=0)
            >>> model.compute_loss(y=torch.tensor(y), y_pred=model(x)).shape
            torch.Size([])
        """
        if y_pred is None and self.compiled_loss is not None:
            went = "arguments went to x and y" if y is not None else "argument went to x"
            hint = (f" Its arguments are (x, y, y_pred, sample_weight): the positional {went}. "
                    f"Call it with keywords: self.compute_loss(y=y, y_pred=y_pred)."
                    if x is not None else "")
            raise ValueError(f"compute_loss() needs `y_pred`, the model's predictions.{hint}")
        engine = trainer.engine_for_step_hooks(self, x, y, "compute_loss")
        y, y_pred, sample_weight = trainer.as_step_tensors(engine, y, y_pred, sample_weight)
        total, _ = engine.loss(engine.targets(y), engine.outputs(y_pred),
                               engine.sample_weights(sample_weight))
        return total

    @property
    def metrics(self) -> list:
        """Keras 3's list: the "loss" tracker and `compile_metrics` (all the compiled metrics
        as one, from compile on), each output's loss tracker (after the first fit/evaluate),
        then the metrics kept as attributes of the model and its layers.

        Example:
            >>> model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
            >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
            >>> model.metrics_names
            ['loss', 'compile_metrics']
        """
        run = self.__dict__.get("_compiled_run")
        if run is None or self.compiled_loss is None:
            return self._flat_metrics()
        compiled = self.compiled_metrics
        listed = [run.loss_tracker] + ([run.metrics_group] if run.metrics_group else [])
        if compiled is not None:
            listed += compiled.listed_loss_trackers
        return listed + self._tracked_metrics_besides(compiled)

    def _flat_metrics(self) -> list:
        """Every metric object, the compiled ones one by one (the logs' order), then the
        tracked ones: what fit updates and logs."""
        compiled = self.compiled_metrics
        return ([] if compiled is None else compiled.all_metrics()) + \
            self._tracked_metrics_besides(compiled)

    def _tracked_metrics_besides(self, compiled) -> list:
        """The metrics kept as attributes of the model and its layers, less the compiled ones."""
        known = [] if compiled is None else compiled.all_metrics()
        return [metric for metric in tracked_metrics(self, within_models=False)
                if all(metric is not other for other in known)]

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the compiled metrics (not the loss tracker) with a batch and returns
        `get_metrics_result()`, as Keras' hook for a custom `train_step`."""
        engine = trainer.engine_for_step_hooks(self, x, y, "compute_metrics")
        y, y_pred, sample_weight = trainer.as_step_tensors(engine, y, y_pred, sample_weight)
        engine.metrics.update_state(engine.targets(y), engine.outputs(y_pred),
                                    engine.sample_weights(sample_weight))
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """Each metric's current result: Python floats, NumPy arrays for vector results.

        Example:
            >>> model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
            >>> model.compile(optimizer="sgd", loss="mse")
            >>> _ = model.fit(np.ones((4, 2)), np.zeros((4, 1)), verbose=0)
            >>> sorted(model.get_metrics_result())
            ['loss']
        """
        return results_as_logs(metric_results(self.metrics))

    @property
    def metrics_variables(self) -> list:
        """The state variables of every metric in `metrics`."""
        return [variable for metric in self.metrics for variable in metric.variables]

    @property
    def metrics_names(self) -> list[str]:
        return [metric.name for metric in self.metrics]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    # ------------------------------------------------------------------ inspection
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None, explain: bool = False) -> None:
        """Prints a table of the layers, their output shapes and parameter counts.

        With `explain=True`, the table is followed by each layer's parameter count as a
        formula (`Dense: 784 inputs × 100 units + 100 biases = 78,500`) and, for convolution
        and pooling, the output-size arithmetic; the table itself stays Keras' own.

        Example:
            >>> tiny = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)], name="tiny")
            >>> tiny.summary()
            Model: "tiny"
            ...
             Total params: 8 (32.00 B)
            ...
        """
        top = self._summary_layers()
        start, stop = summary_utils.layer_index_bounds(top, layer_range)
        listed, rows = [], []
        for layer, depth in _summary_tree(top[start:stop], expand_nested):
            row = self._summary_row(layer)
            rows.append((_nested_prefix(depth) + row[0],) + tuple(row[1:]))
            listed.append(layer)
        trainable, non_trainable = self.trainable_weights, self.non_trainable_weights
        optimizer_count = optimizer_bytes = None
        if self.optimizer is not None and self.optimizer.built:
            optimizer_count = self.optimizer.count_params()
            optimizer_bytes = summary_utils.weight_memory_size(self.optimizer.variables)
        summary_utils.print_summary(
            self.name, rows, summary_utils.count_params(trainable),
            summary_utils.count_params(non_trainable), summary_utils.weight_memory_size(trainable),
            summary_utils.weight_memory_size(non_trainable),
            optimizer_count=optimizer_count, optimizer_bytes=optimizer_bytes,
            line_length=line_length, positions=positions, print_fn=print_fn,
            column_titles=self._summary_column_titles(),
            trainable_flags=[_trainable_flag(layer) for layer in listed] if show_trainable else None)
        if explain:
            from lamina.utils.summary_explain import explain_lines

            text = "\n".join(["Where the parameters come from:"] + ["  " + line for line in
                                                                  explain_lines(self.layers)])
            (print_fn or print)(text + ("\n" if print_fn else ""))

    # ------------------------------------------------------------------ saving
    def save(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Saves the model: `.keras` (Keras 3's zip) or `.h5` (Keras 2's layout, TF-2 books).

        Example:
            >>> import os, tempfile
            >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
            >>> model.save(os.path.join(tempfile.mkdtemp(), "model.keras"))
        """
        from lamina.saving import saving_api

        saving_api.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, max_shard_size=None) -> None:
        """Saves the weights: `.weights.h5`, Keras 2's `.h5`, or a PyTorch `.pt`/`.pth`; with
        `max_shard_size` (in GB), as shards beside a `.weights.json` index, as Keras does."""
        from lamina.saving import saving_api

        saving_api.save_weights(self, filepath, overwrite=overwrite,
                                max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Loads weights from `.weights.h5`, `.h5`, `.keras`, `.pt` or `.pth`.

        Example:
            >>> import os, tempfile
            >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
            >>> path = os.path.join(tempfile.mkdtemp(), "model.weights.h5")
            >>> model.save_weights(path)
            >>> model.load_weights(path)
        """
        from lamina.saving import saving_api

        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format: str = "onnx", verbose=None, input_signature=None,
               **kwargs) -> None:
        """Exports the inference pass: `format="onnx"` (ONNX Runtime) or `"torch"` (a `.pt2`).

        Keras' `tf_saved_model` needs TensorFlow and is not available; see `lamina.export`.

        Example:
            >>> import os, tempfile
            >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
            >>> model.export(os.path.join(tempfile.mkdtemp(), "model.pt2"), format="torch")
            Saved PyTorch ExportedProgram at '...model.pt2'.
        """
        from lamina.export import export_model

        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)

    def to_json(self, **kwargs) -> str:
        """The model's config as a JSON string (`models.model_from_json` reads it back)."""
        import json

        from lamina.saving.serialization_lib import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)

    def get_compile_config(self) -> dict:
        """The arguments `compile` was called with, serialized (`{}` before compile, as Keras)."""
        if not self._compiled:
            return {}
        from lamina.saving.serialization_lib import serialize_keras_object

        metrics, weighted_metrics = self._metrics_spec
        return serialize_keras_object({
            "optimizer": getattr(self, "_compile_optimizer", self.optimizer), "loss": self.loss,
            "loss_weights": self.compiled_loss.loss_weights, "metrics": metrics,
            "weighted_metrics": weighted_metrics, "run_eagerly": self.run_eagerly,
            "steps_per_execution": getattr(self, "steps_per_execution", 1),
            "jit_compile": self.jit_compile})

    def get_build_config(self) -> dict | None:
        """`{"input_shape": ...}` once the model has seen inputs (a subclassed one too)."""
        shapes = self._build_shapes
        if shapes is None:
            return None
        if isinstance(shapes, list) and shapes and isinstance(shapes[0], (list, tuple)):
            return {"input_shape": [list(s) for s in shapes]}
        return {"input_shape": list(shapes)}

    def build_from_config(self, config: dict) -> None:
        """Rebuilds from `get_build_config()`; a subclassed model runs `call` on symbolic inputs.

        Its sublayers are created in `__init__` but get their weights on the first call, as
        in Keras, so loading a saved subclassed model builds them this way before its weights
        are read.
        """
        from lamina.layers.core.input_layer import Input

        shape = (config or {}).get("input_shape")
        if self.built or shape is None or type(self).build is not Layer.build:
            super().build_from_config(config)
            return
        nested = isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple))
        inputs = ([Input(batch_shape=tuple(s)) for s in shape] if nested
                  else Input(batch_shape=tuple(shape)))
        self(inputs)
        self._build_shapes = [tuple(s) for s in shape] if nested else tuple(shape)
        self.built = True

    def compile_from_config(self, config: dict) -> None:
        """Compiles from `get_compile_config()`'s output and builds the optimizer's state."""
        from lamina.saving.serialization_lib import deserialize_keras_object

        arguments = deserialize_keras_object(config)
        if arguments.get("jit_compile") is True:
            # Keras writes True whenever its backend compiles (JAX always does); here True
            # would mean torch.compile, so such a file gets lamina's default instead.
            arguments.pop("jit_compile")
        self.compile(**arguments)
        if self.built:
            # Slots exist now, so that a saved optimizer state can be loaded into them.
            self.optimizer.build(self.trainable_weights)

    def _summary_column_titles(self):
        return ("Layer (type)", "Output Shape", "Param #")

    def _summary_layers(self) -> list[Layer]:
        """The rows of `summary()`: the layers (a functional model adds its operations)."""
        return self.layers

    def _summary_row(self, layer: Layer):
        label = f"{layer.name} ({layer.keras_class_name})"
        if isinstance(layer, InputLayer):
            return (label, summary_utils.format_shape(layer.batch_shape), 0)
        if not layer.built:
            return (label, "?", "0 (unbuilt)")
        shape = getattr(layer, "_summary_output_shape", None)
        from_call = shape is not None
        if shape is None:
            shape = output_shape_from_build(layer)
        text = "?" if shape is None else summary_utils.format_shape(shape, from_call)
        return (label, text, layer.count_params())


def _run_attribute(model, name: str, default=None):
    run = model.__dict__.get("_compiled_run")
    return default if run is None else getattr(run, name)


def _set_run_attribute(model, name: str, value) -> None:
    run = model.__dict__.get("_compiled_run")
    if run is None:
        if value is None:
            return
        run = model.__dict__["_compiled_run"] = CompiledRun.inference_only(model)
    setattr(run, name, value)
    run.train_function = run.test_function = run.predict_function = None


def _looks_like_metrics(value) -> bool:
    values = value if isinstance(value, (list, tuple)) else [value]
    return value is not None and not isinstance(value, dict) and all(
        isinstance(v, str) or callable(v) for v in values)


def _summary_tree(layers, expand_nested: bool, depth: int = 0):
    """(layer, depth) for each row of `summary()`: with `expand_nested`, a nested model's
    layers follow it one level deeper (a Sequential's without its InputLayer, as its `layers`
    are)."""
    for layer in layers:
        yield layer, depth
        if expand_nested and getattr(layer, "layers", None):
            yield from _summary_tree(layer.layers, expand_nested, depth + 1)


def _nested_prefix(depth: int) -> str:
    return "   " * depth + "└ " if depth else ""


def _trainable_flag(layer: Layer) -> str:
    """Keras' "Trainable" column: Y, N, or - for a layer without weights."""
    if not layer.weights:
        return "-"
    return "Y" if layer.trainable else "N"


def _is_functional_call(args, kwargs) -> bool:
    return len(args) == 2 or ("inputs" in kwargs and "outputs" in kwargs) or (
        len(args) == 1 and "outputs" in kwargs)


def _takes_graph_arguments(cls: type) -> bool:
    """Whether `cls.__init__` takes what Functional's does (or just *args, **kwargs)."""
    import inspect

    from lamina.models.functional import Functional

    own = inspect.getfullargspec(cls.__init__)
    graph = inspect.getfullargspec(Functional.__init__)
    return own.args[1:] == graph.args[1:] or (own.varargs is not None and own.varkw is not None
                                              and len(own.args) == 1)


def _functional_class(cls: type) -> type:
    """The class `Model(inputs, outputs)` makes: Functional."""
    from lamina.models.functional import Functional

    return Functional if cls is Model else _inject_functional(cls)


def _inject_functional(cls: type) -> type:
    """Puts Functional in place of Model among `cls`'s bases, as Keras'
    `inject_functional_model_class` does: a Model subclass that passes (inputs, outputs) to
    `super().__init__` becomes a graph model and stays its own class (`type(m) is MyModel`,
    its registration for saving intact), its methods on top of the graph model's."""
    from lamina.models.functional import Functional

    if cls is Model:
        return Functional
    if cls is object or issubclass(cls, Functional) or not issubclass(cls, Model):
        return cls
    cls.__bases__ = tuple(_inject_functional(base) for base in cls.__bases__)
    return cls
