"""fit / evaluate / predict: the epoch loop, read top to bottom.

`fit` -> prepare data once on the device -> the compiled run's train function
(`CompiledRun.make_train_function`) on each execution's batches from an `EpochIterator` ->
callbacks -> validation -> epoch logs. Values are read from the device only at epoch ends
and when the progress bar draws. Batched sources (generators, DataLoaders, torch Datasets,
PyDatasets) run through the same loop; their first batch builds the model and the engine.
The model is in train mode for the training steps of a fit and in eval mode for validation,
evaluate and predict: switched once per loop, never per step.
"""
from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np
import torch

from lamina import backend, config, tree
from lamina.callbacks import CallbackList
from lamina.callbacks.diagnose import with_diagnose
from lamina.engine import denormals, distribution, host_memory, learner_checks, threads
from lamina.engine.compiled_run import CompiledRun
from lamina.engine.data import (
    ArrayData,
    check_validation_split,
    class_weights_to_samples,
    split_validation,
)
from lamina.engine.epoch_iterator import Batch, EpochIterator
from lamina.engine.iterable_data import IterableData
from lamina.engine.sources import is_batch_source, is_torch_dataset
from lamina.engine.step import Engine, trained_parameters
from lamina.layers.core.input_layer import adjusted_shape

__all__ = ["evaluate", "fit", "predict", "predict_on_batch", "test_on_batch", "train_on_batch"]

_DEFAULT_BATCH_SIZE = 32


def fit(model, x, y, *, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
        shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
        validation_batch_size, validation_freq):
    _require_compiled(model, "fit")
    epochs, initial_epoch = _check_epochs(epochs, initial_epoch)
    epochs = _capped_epochs(epochs)
    steps_per_epoch = _capped_steps(_steps_or_none(steps_per_epoch, "steps_per_epoch"))
    validation_steps = _capped_steps(_steps_or_none(validation_steps, "validation_steps"))
    device = _model_device(model)
    dist = distribution.current()
    check_validation_split(validation_split)
    if validation_split and (is_batch_source(x) or is_torch_dataset(x)):
        raise _unsplittable_error(x)
    if class_weight is not None and sample_weight is not None:
        # Keras' words (keras/src/trainers/data_adapters/array_data_adapter.py).
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time. "
                         "Fold the class weights into `sample_weight` (multiply them), or "
                         "pass only one of the two.")
    data = _input_data(x, y, sample_weight, device, batch_size, "fit", class_weight=class_weight,
                       resume=True, shuffle=shuffle)
    requested_verbose, verbose = verbose, _resolve_verbose(verbose)
    if validation_data is not None:
        val_data = _validation_data(validation_data, device,
                                    validation_batch_size or _batch_size_or_default(batch_size))
    elif validation_split:
        data, val_data = split_validation(data, validation_split)
    else:
        val_data = None
    # As in Keras, validation batches follow fit's batch_size when one was given.
    validation_batch_size = validation_batch_size or batch_size or _batch_size_or_default(
        None, val_data, validation_steps)
    batch_size = _batch_size_or_default(batch_size, data, steps_per_epoch)
    data = dist.shard(data)
    run = model._compiled_run
    sample = _first_batch(data)
    _require_targets_for_loss(model, sample, "fit", data)
    _check_inputs(model, sample.x, "fit")
    _check_token_indices(model, data, val_data)
    engine = run.engine_for(sample, batch_size=batch_size)
    engine.validate_targets(sample.y)
    _build_optimizer(run, model)  # a custom train_step may never use it; Keras builds it anyway
    if isinstance(val_data, ArrayData):
        _check_validation_targets(engine, val_data.y, sample.y, from_split=validation_data is None)
    if class_weight is not None and isinstance(data, ArrayData):
        data = data.with_sample_weight(class_weights_to_samples(class_weight, data.y, data.sample_weight))
    iterator = EpochIterator(data, batch_size, shuffle, steps_per_epoch, run.steps_per_execution)
    steps = iterator.num_steps()
    verbose = verbose if dist.is_primary() else 0
    if verbose != 0 and config.is_diagnose_enabled():  # the verdict printed at the end of fit
        callbacks = with_diagnose(callbacks)
    # Callbacks see the verbose fit was given ('auto' stays 'auto' in `params`, as in Keras).
    callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                                 verbose=requested_verbose if verbose else 0, epochs=epochs,
                                 steps=steps)
    train_batch_hooks = callback_list.needs_batch_hooks_for("train")
    model.stop_training = False
    model._initial_epoch = None
    train_function = run.make_train_function()
    thread_count, tuner = _choose_threads(run, model, batch_size, device, verbose)
    was_training = model.training
    with threads.intra_op_threads(thread_count), _host_settings():
        callback_list.on_train_begin()
        # A callback that restores a backup (BackupAndRestore) sets where training resumes.
        initial_epoch = model._initial_epoch or initial_epoch
        run.expect_steps("train_step", None if steps is None else steps * (epochs - initial_epoch))
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            if data.exhausted:  # a generator that ran dry cannot feed another epoch
                data.warn_ran_out()
                break
            model.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            model.train()  # once per epoch: torch modules inside see the training mode
            tuner.epoch_begin()
            step_logs = None
            for begin, end, batches in iterator:
                if train_batch_hooks:
                    callback_list.on_train_batch_begin(begin)
                step_logs = train_function(batches)
                tuner.step()
                if train_batch_hooks:
                    callback_list.on_train_batch_end(end, step_logs)
                if model.stop_training:  # set by any hook, an epoch's too: Keras stops here
                    break
            model.eval()
            if step_logs is None:  # a generator had no batch left for this epoch
                break
            dist.reduce_metrics(model._flat_metrics())
            # As in Keras, a user step's nested logs stay nested until the callbacks sort them.
            epoch_logs = _read_values(getattr(step_logs, "nested", step_logs))
            if val_data is not None and _should_validate(epoch, validation_freq):
                val_logs = _run_test_loop(run, val_data, validation_batch_size, validation_steps,
                                          callback_list)
                epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            model.stop_training = dist.broadcast_stop(model.stop_training)
            if model.stop_training:
                break
        if model.optimizer is not None and epochs > initial_epoch:
            # Keras: with use_ema the averaged weights become the model's at the end of fit.
            model.optimizer.finalize_variable_values(model.trainable_weights)
        model.train(was_training)
        callback_list.on_train_end(epoch_logs)
    return model.history


def evaluate(model, x, y, *, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
    _require_compiled(model, "evaluate")
    steps = _capped_steps(_steps_or_none(steps, "steps"))
    data = _input_data(x, y, sample_weight, _model_device(model), batch_size, "evaluate")
    batch_size = _batch_size_or_default(batch_size, data, steps)
    verbose = _resolve_verbose(verbose) if distribution.current().is_primary() else 0
    run = model._compiled_run
    sample = _first_batch(data)
    _require_targets_for_loss(model, sample, "evaluate", data)
    _check_inputs(model, sample.x, "evaluate")
    _check_token_indices(model, data)
    engine = run.engine_for(sample, batch_size=batch_size)
    engine.validate_targets(sample.y)
    _build_optimizer(run, model)
    callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose,
                                 epochs=1, steps=steps or data.steps(batch_size))
    with _eval_mode(model), _host_settings():
        logs = _run_test_loop(run, data, batch_size, steps, callback_list)
    if return_dict:
        return logs
    return _logs_in_metric_order(engine, logs)


def predict(model, x, *, batch_size, verbose, steps, callbacks):
    steps = _capped_steps(_steps_or_none(steps, "steps"))
    data = _input_data(x, None, None, _model_device(model), batch_size, "predict")
    batch_size = _batch_size_or_default(batch_size, data, steps)
    verbose = _resolve_verbose(verbose) if distribution.current().is_primary() else 0
    run = _run(model)
    sample = _first_batch(data)
    _check_inputs(model, sample.x, "predict")
    _check_token_indices(model, data)
    run.engine_for(sample, need_targets=False, batch_size=batch_size)
    iterator = EpochIterator(data, batch_size, steps=steps,
                             steps_per_execution=run.steps_per_execution,
                             pad_to_batch_size=_pads(run, data, "predict_step"))
    callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose,
                                 epochs=1, steps=iterator.num_steps())
    batch_hooks = callback_list.needs_batch_hooks_for("predict")
    predict_function = run.make_predict_function()
    callback_list.on_predict_begin()
    outputs = []
    with _eval_mode(model), _host_settings():
        for begin, end, batches in iterator:
            if batch_hooks:
                callback_list.on_predict_batch_begin(begin)
            outputs += predict_function(batches)
            if batch_hooks:
                callback_list.on_predict_batch_end(end, {"outputs": outputs[-1]})
    callback_list.on_predict_end()
    return _concatenate_to_numpy(outputs)


def train_on_batch(model, x, y, *, sample_weight, class_weight, return_dict):
    _require_compiled(model, "train_on_batch")
    if class_weight is not None and sample_weight is not None:
        raise ValueError(f"Arguments `sample_weight` and `class_weight` cannot be specified at "
                         f"the same time. Received: sample_weight={sample_weight}, "
                         f"class_weight={class_weight}")
    data = _batch_data(x, y, sample_weight, model, "train_on_batch")
    run = model._compiled_run
    engine = run.engine_for(data, batch_size=data.size)
    if class_weight is not None:
        data = data.with_sample_weight(class_weights_to_samples(class_weight, data.y, data.sample_weight))
    model.reset_metrics()  # the logs describe this batch alone, as in Keras
    with denormals.flush_denormals():
        logs = _materialize(run.make_train_function()([Batch(*data.batch(0, data.size))]))
    return logs if return_dict else _logs_in_metric_order(engine, logs)


def test_on_batch(model, x, y, *, sample_weight, return_dict):
    _require_compiled(model, "test_on_batch")
    data = _batch_data(x, y, sample_weight, model, "test_on_batch")
    run = model._compiled_run
    engine = run.engine_for(data, batch_size=data.size)
    model.reset_metrics()
    with denormals.flush_denormals():
        logs = _materialize(run.make_test_function()([Batch(*data.batch(0, data.size))]))
    return logs if return_dict else _logs_in_metric_order(engine, logs)


def predict_on_batch(model, x):
    data = _batch_data(x, None, None, model, "predict_on_batch")
    run = _run(model)
    run.engine_for(data, need_targets=False, batch_size=data.size)
    with denormals.flush_denormals():
        outputs = run.make_predict_function()([Batch(data.batch(0, data.size)[0])])
    return _concatenate_to_numpy(outputs)


# ---------------------------------------------------------------------- loops
def _run_test_loop(run: CompiledRun, data, batch_size: int, steps, callback_list) -> dict:
    model = run.model
    model.reset_metrics()
    test_function = run.make_test_function()
    batch_hooks = callback_list.needs_batch_hooks_for("test")
    callback_list.on_test_begin()
    step_logs = None
    iterator = EpochIterator(data, batch_size, steps=steps,
                             steps_per_execution=run.steps_per_execution,
                             pad_to_batch_size=_pads(run, data, "test_step"))
    for begin, end, batches in iterator:
        if batch_hooks:
            callback_list.on_test_batch_begin(begin)
        step_logs = test_function(batches)
        if batch_hooks:
            callback_list.on_test_batch_end(end, step_logs)
    if step_logs is None:  # a validation generator used up by an earlier epoch
        warnings.warn("`validation_data` yielded no batch: a generator can be iterated only once, so "
                      "this epoch has no val_ metrics. Pass a torch DataLoader or a "
                      "keras.utils.PyDataset (they restart), or a generator that loops forever "
                      "together with `validation_steps`.", stacklevel=4)
        step_logs = {}
    distribution.current().reduce_metrics(model._flat_metrics())
    logs = _materialize(step_logs)
    callback_list.on_test_end(logs)
    return logs


@contextlib.contextmanager
def _host_settings():
    """How the CPU runs a loop: denormals flushed (as XLA does) and freed memory kept for the
    next step (engine/denormals.py, engine/host_memory.py)."""
    with denormals.flush_denormals(), host_memory.keep_freed_memory():
        yield


@contextlib.contextmanager
def _eval_mode(model):
    """Eval mode for the whole loop (one switch), the previous mode restored after."""
    was_training = model.training
    if was_training:
        model.eval()
    try:
        yield
    finally:
        if was_training:
            model.train()


def _pads(run: CompiledRun, data, step: str) -> bool:
    """Evaluation batches get one static shape where the steps are captured (CUDA graphs).

    A model's own `test_step` / `predict_step` sees the batches as they are (no padding).
    """
    from lamina.models.model import Model

    overridden = getattr(type(run.model), step) is not getattr(Model, step)
    return isinstance(data, ArrayData) and run.captures() and not overridden


def _choose_threads(run: CompiledRun, model, batch_size: int, device, verbose: int):
    """Intra-op threads for this fit (CPU) and their tuner; the choice said at verbose >= 1."""
    if device.type != "cpu":
        run.say(f"{device.type}: {run.describe_mode()}", verbose)
        return torch.get_num_threads(), threads.ThreadTuner([torch.get_num_threads()])
    work = threads.step_work(model, batch_size)
    count, reason = threads.choose_threads(work)
    tuner = threads.ThreadTuner([*threads.candidate_threads(work), count], preferred=count)
    cores = threads.available_cores()
    if tuner.enabled:
        choice = (f"intra-op threads re-chosen each epoch among {tuner.candidates} from measured "
                  f"step times, starting with {count} ({reason}), of {cores} cores")
    else:
        choice = f"{count} intra-op thread{'s' if count > 1 else ''} of {cores} cores ({reason})"
    run.say(f"cpu: {run.describe_mode()}; {choice}", verbose)
    return count, tuner


def _unsplittable_error(x) -> ValueError:
    from lamina.engine.sources import source_kind

    kind = "torch Dataset" if is_torch_dataset(x) else source_kind(x)
    # Keras' words (keras/src/trainers/data_adapters/array_slicing.py), then the fix.
    return ValueError(f"Argument `validation_split` is only supported for tensors or NumPy "
                      f"arrays. Found incompatible type in the input: {type(x).__name__} (a "
                      f"{kind}). Pass `validation_data=` (arrays, a generator, a DataLoader or a "
                      f"PyDataset) instead, or split the data yourself before batching it.")


def _read_values(logs) -> dict:
    """Logs with each scalar tensor read as a Python float, nested dicts kept as they are."""
    return {name: _read_values(value) if isinstance(value, dict) else
            float(value.detach()) if isinstance(value, torch.Tensor) and value.ndim == 0
            else value for name, value in dict(logs).items()}


def _materialize(logs) -> dict:
    """Logs as Python floats, nested dicts flattened (one host read per value, at epoch end)."""
    flat = {}
    for name, value in dict(logs).items():
        if isinstance(value, dict):
            flat.update(_materialize(value))
        else:
            flat[name] = float(value.detach()) if isinstance(value, torch.Tensor) and value.ndim == 0 else value
    return flat


# ---------------------------------------------------------------------- setup
def _input_data(x, y, sample_weight, device, batch_size, method: str, class_weight=None,
                resume: bool = False, shuffle: bool = False):
    """`ArrayData` for arrays (moved to the device once), `IterableData` for batched sources.

    `resume`: fit's training data, whose epochs of `steps_per_epoch` batches continue one pass.
    A torch Dataset (samples, not batches) is batched by `batch_size` through a DataLoader.
    """
    if is_torch_dataset(x):
        return IterableData.from_dataset(x, y, sample_weight, device=device, batch_size=batch_size,
                                         shuffle=shuffle and method == "fit",
                                         class_weight=class_weight, resume=resume)
    if is_batch_source(x):
        return IterableData.from_user(x, y, sample_weight, device=device, batch_size=batch_size,
                                      class_weight=class_weight, resume=resume)
    data = ArrayData.from_user(x, y, sample_weight, device=device, resume=resume)
    data.require_samples("x", method)
    return data


def _batch_data(x, y, sample_weight, model, method: str) -> ArrayData:
    data = ArrayData.from_user(x, y, sample_weight, device=_model_device(model))
    data.require_samples("x", method)
    _check_inputs(model, data.x, "predict" if method == "predict_on_batch" else method)
    return data


def engine_for_step_hooks(model, x, y, method: str) -> Engine:
    """The engine `compute_loss` / `compute_metrics` use: fit's, or one built from this
    batch when they are called before any fit or evaluate (Keras builds its losses and
    metrics from the first batch they see, too)."""
    engine = model._engine
    if engine is not None:
        return engine
    _require_compiled(model, method)
    if x is None:
        raise ValueError(f"`{method}()` was called before the model was fit or evaluated, and "
                         f"without `x`: pass x= (the batch the predictions came from), so the "
                         f"losses and metrics can be matched to the model's outputs.")
    data = _batch_data(x, y, None, model, method)
    return model._compiled_run.engine_for(data, batch_size=data.size)


def as_step_tensors(engine: Engine, *values):
    """NumPy arrays among a step hook's arguments as tensors on the model's device."""
    device = _model_device(engine.model)

    def convert(value):
        if isinstance(value, np.ndarray):
            return backend.to_tensor(value).to(device)
        return value

    return tuple(tree.map_structure(convert, value) for value in values)


def _build_optimizer(run: CompiledRun, model) -> None:
    """Keras builds a compiled model's optimizer at its first fit or evaluate
    (`_symbolic_build`): summary() then counts its variables, and a file saved afterwards
    holds them."""
    optimizer = run.optimizer
    if optimizer is not None and not optimizer.built:
        params = trained_parameters(model)
        if params:
            optimizer.build(params)


def _first_batch(data) -> ArrayData:
    """What builds the engine and is checked against the model: all the arrays, or one batch."""
    return data if isinstance(data, ArrayData) else data.first_batch()


def _run(model) -> CompiledRun:
    """The model's compiled run; an uncompiled model gets one for predict alone."""
    run = model.__dict__.get("_compiled_run")
    if run is None:
        run = model.__dict__["_compiled_run"] = CompiledRun.inference_only(model)
    return run


def _require_targets_for_loss(model, sample: ArrayData, method: str, source) -> None:
    """A compiled loss needs targets: in `y`, or in each batch a generator or dataset yields."""
    if sample.y is None and model.compiled_loss is not None and model.compiled_loss.spec is not None:
        if not isinstance(source, ArrayData):
            raise ValueError(f"{method}() got batches without targets for loss {model.loss!r}: a "
                             f"generator, PyDataset or dataset must yield tuples (inputs, "
                             f"targets) or (inputs, targets, sample_weights), e.g. `yield x_batch, "
                             f"y_batch`; it yielded inputs alone (a batch of shape "
                             f"{_shapes_text(sample.x)}).")
        raise ValueError(f"{method}() needs targets for loss {model.loss!r}: pass `y` (the labels) "
                         f"along with `x`.")


def _shapes_text(x) -> str:
    shapes = [tuple(t.shape) for t in tree.flatten(x) if hasattr(t, "shape")]
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _require_compiled(model, method: str) -> None:
    if not getattr(model, "_compiled", False):
        raise ValueError(f"You must call `compile()` before calling `{method}()`, e.g. "
                         f"model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                         f"metrics=['accuracy']).")


def _capped_epochs(epochs: int) -> int:
    """`epochs`, at most `keras.config.max_epochs()` (a debugging cap), warning as Keras does."""
    limit = config.max_epochs()
    if limit and limit < epochs:
        warnings.warn(f"Limiting epochs to {limit}", stacklevel=4)
        return limit
    return epochs


def _capped_steps(steps: int | None) -> int | None:
    """Steps of one epoch (None: a whole pass), at most `keras.config.max_steps_per_epoch()`."""
    limit = config.max_steps_per_epoch()
    if limit and (not steps or limit < steps):
        warnings.warn(f"Limiting steps_per_epoch to {limit}", stacklevel=4)
        return limit
    return steps


def _check_epochs(epochs, initial_epoch) -> tuple[int, int]:
    """Keras' epoch range, `range(initial_epoch, epochs)`, with whole numbers >= 0 only."""
    if not _is_integer(epochs) or epochs < 0:
        raise _count_error(epochs)(f"Argument `epochs` must be an integer >= 0: the index of the "
                                   f"epoch at which training stops, e.g. epochs=10. Received: "
                                   f"epochs={epochs!r}")
    if not _is_integer(initial_epoch) or initial_epoch < 0:
        raise _count_error(initial_epoch)(f"Argument `initial_epoch` must be an integer >= 0: the "
                                          f"epoch at which training starts (to resume an earlier "
                                          f"run). Received: initial_epoch={initial_epoch!r}")
    if epochs <= initial_epoch:
        warnings.warn(f"fit(epochs={epochs}, initial_epoch={initial_epoch}) trains no epochs: as in "
                      f"Keras, training runs the epochs initial_epoch to epochs - 1 (`epochs` is the "
                      f"epoch to stop at, not a number of epochs to add). To train N more epochs, "
                      f"pass epochs=initial_epoch + N.", stacklevel=4)
    return int(epochs), int(initial_epoch)


def _steps_or_none(steps, argument: str) -> int | None:
    if steps is None:
        return None
    if not _is_integer(steps) or steps <= 0:
        raise _count_error(steps)(f"Argument `{argument}` must be a positive integer, or None for "
                                  f"one pass over the data. Received: {argument}={steps!r}")
    return int(steps)


def _is_integer(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _count_error(value) -> type[Exception]:
    """A count of the wrong type (2.5, '3', None) is Keras' TypeError; a wrong integer a ValueError."""
    return ValueError if _is_integer(value) else TypeError


def _batch_size_or_default(batch_size, data=None, steps: int | None = None) -> int:
    """`batch_size` checked; without one, 32, or for arrays read in `steps` steps the size
    that covers them all in that many (Keras: ceil(samples / steps))."""
    if batch_size is None:
        if steps and isinstance(data, ArrayData):
            return max(1, math.ceil(data.size / steps))
        return _DEFAULT_BATCH_SIZE
    if not _is_integer(batch_size) or batch_size <= 0:
        raise _count_error(batch_size)(f"Argument `batch_size` must be a positive integer. "
                                       f"Received: batch_size={batch_size!r}")
    return int(batch_size)


def _resolve_verbose(verbose) -> int:
    """'auto' is 1; any other whole number passes, as in Keras, where only 1 (the bar) and 2
    (a line per epoch) print."""
    if verbose == "auto":
        return 1
    if not _is_integer(verbose):
        raise ValueError(f"Argument `verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


def _model_device(model) -> torch.device:
    for parameter in model.parameters():
        return parameter.device
    return backend.get_device()


def _validation_data(validation_data, device, batch_size: int):
    if is_torch_dataset(validation_data):
        return IterableData.from_dataset(validation_data, device=device, batch_size=batch_size,
                                         resume=False)
    if is_batch_source(validation_data):
        return IterableData(validation_data, device, resume=False)
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError("Argument `validation_data` must be a tuple (x_val, y_val) or "
                         "(x_val, y_val, val_sample_weight), a generator, a torch DataLoader or a "
                         "keras.utils.PyDataset. Received: "
                         f"{type(validation_data).__name__} of length {len(validation_data) if hasattr(validation_data, '__len__') else '?'}")
    data = ArrayData.from_user(*validation_data, device=device)
    data.require_samples("validation_data", "fit")
    return data


def _check_validation_targets(engine: Engine, val_y, train_y, from_split: bool) -> None:
    """Validation targets meet the same check as the training targets, with the same message."""
    try:
        engine.validate_targets(val_y)
    except ValueError as error:
        if from_split:  # the held-out part of `y` itself: the message about `y` stands
            raise
        train_shape = (f" (the training targets `y` have shape {tuple(train_y.shape)})"
                       if isinstance(train_y, torch.Tensor) else "")
        raise ValueError(f"The targets in `validation_data` do not fit the loss{train_shape}: {error} "
                         f"Give `validation_data` targets encoded as the training targets are.") from None


def _should_validate(epoch: int, validation_freq) -> bool:
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError(f"Argument `validation_freq` must be a positive integer (validate "
                             f"every that many epochs) or a list of epochs. Received: "
                             f"validation_freq={validation_freq}")
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


def _runs_at_shape(model, expected, received) -> bool:
    """Whether a Sequential model built for `expected` also runs on data of another length or
    image size (same rank and features): Keras runs it (an LSTM trained on 20 steps predicts
    30; a convnet with global pooling takes larger images)."""
    from lamina.models import Sequential
    from lamina.ops.keras_tensor import KerasTensor

    if not isinstance(model, Sequential) or len(received) != len(expected) or \
            expected[-1] != received[-1]:
        return False
    shape = (None,) + tuple(received[1:])
    try:
        for layer in model.layers:
            layer.check_input_compatibility(KerasTensor(shape))  # a built Dense's input width
            shape = layer.compute_output_shape(shape)
    except Exception:  # noqa: BLE001 - any layer that cannot take the shape: the error below
        return False
    return True


def _check_inputs(model, x, method: str) -> None:
    """Compares the data's shape to a model's declared input shape, before any step runs."""
    _check_single_input_structure(model, x)
    expected = getattr(model, "_declared_input_shape", lambda: None)()
    if expected is not None and isinstance(x, dict) and len(x):
        keys = list(x)
        raise ValueError(f"The structure of `inputs` doesn't match the expected structure: "
                         f"Sequential model '{model.name}' takes one array, but x is a dict with "
                         f"keys {keys}. Pass the array itself (x[{keys[0]!r}]), or build a "
                         f"functional model on named Inputs to feed a dict.")
    if expected is None or not isinstance(x, torch.Tensor):
        return
    received = tuple(x.shape)
    adjusted = adjusted_shape(received, expected)  # Keras adds or drops a trailing axis of 1
    compatible = len(adjusted) == len(expected) and all(
        e is None or e == r for e, r in zip(expected[1:], adjusted[1:]))
    if compatible or _runs_at_shape(model, expected, adjusted):
        return
    message = (f"Input of model '{model.name}' is incompatible: expected shape "
               f"{tuple(expected)}, but received x with shape {received}.")
    one_sample = (" That looks like a single sample: add the batch axis, e.g. "
                  "x.reshape(1, *x.shape) or x[None].")
    if received == tuple(expected[1:]) and len(received) > 1 and received[0] > 1:
        # The shapes alone cannot tell the two slips apart; predict() is where one sample goes.
        if method == "predict":
            message += (f"{one_sample} (If instead the model's input_shape {received} was copied "
                        f"from x_train.shape, it includes the batch axis: give "
                        f"input_shape={tuple(received[1:])}, that is `x_train.shape[1:]`.)")
        else:
            message += (f" The model's input_shape {received} includes the batch axis (the number "
                        f"of samples, {received[0]}): give the shape of one sample instead, "
                        f"input_shape={tuple(received[1:])} — that is `x_train.shape[1:]`, not "
                        f"`x_train.shape`. (If instead x is a single sample, add the batch axis: "
                        f"x[None].)")
    elif received == tuple(expected[1:]):
        message += one_sample
    elif (explanation := _layer_explanation(model, received)) is not None:
        message += f" {explanation}"
    elif (len(received) != len(expected) and None not in expected[1:]
          and math.prod(received[1:]) == math.prod(expected[1:])):
        message += (f" The sizes agree: reshape the data with "
                    f"`x.reshape(-1, {', '.join(str(d) for d in expected[1:])})`, or change the "
                    f"model's input shape to {tuple(received[1:])}.")
    elif len(received) == len(expected) + 1 or len(received) + 1 == len(expected):
        message += " Reshape the data to match, or change the model's input_shape."
    raise ValueError(message)


def _check_single_input_structure(model, x) -> None:
    """A list of several arrays for a one-input model: samples to stack, or a wrong model."""
    if not isinstance(x, (list, tuple)) or len(x) < 2 or len(getattr(model, "inputs", None) or []) != 1:
        return
    shapes = [tuple(item.shape) for item in x if hasattr(item, "shape")]
    if len(shapes) != len(x):  # a list of strings or numbers is one input's data
        return
    message = (f"Model '{model.name}' takes one input, but x is a list of {len(x)} arrays "
               f"(shapes {shapes}).")
    if len(set(shapes)) == 1:
        message += (f" If they are samples, stack them into one array first: np.stack(x) has "
                    f"shape {(len(x),) + shapes[0]}.")
    raise ValueError(message + " If they are separate inputs, the model needs one keras.Input "
                               "per array.")


def _check_token_indices(model, *datas) -> None:
    """Token indices past an Embedding's table, found before a step (whole arrays only)."""
    for data in datas:
        if isinstance(data, ArrayData):
            learner_checks.check_embedding_indices(model, data.x)


def _layer_explanation(model, shape: tuple) -> str | None:
    """What the layer that cannot take inputs of `shape` says (Dense: "add `Flatten(...)`").

    The model's layers run on a meta tensor: shapes only, nothing computed or allocated. They
    run one by one, past the model's own rank check, so that the layer's advice is heard.
    """
    try:
        with torch.no_grad():
            inputs = torch.empty(shape, device="meta")
            for layer in model._stack:
                inputs = layer(inputs, training=False)
    except ValueError as error:
        return str(error)
    except Exception:  # noqa: BLE001 (a layer that cannot run on meta tensors has nothing to add)
        return None
    return None


def _logs_in_metric_order(engine: Engine, logs: dict):
    """evaluate()'s list, in Keras' order: the logs named by the metrics one by one, then the
    rest sorted by name. Keras names a multi-output model's compiled metrics there unprefixed
    ("mae", not "a_mae"), so they fall to the sorted rest, after each output's loss."""
    per_output = set()
    compiled = engine.model.compiled_metrics
    if engine.is_multi_output and compiled is not None:
        per_output = {id(metric) for resolved, weighted in compiled.per_output
                      for metric in resolved + weighted}
    names = [metric.name for metric in engine.model._flat_metrics()
             if id(metric) not in per_output and metric.name in logs]
    names += sorted(name for name in logs if name not in names)
    values = [logs[name] for name in names]
    return values[0] if len(values) == 1 else values


def _concatenate_to_numpy(batches):
    """The batches' outputs joined leaf by leaf, in the outputs' own structure (a tuple stays
    a tuple, `[x, [y, z]]` stays nested), as Keras' predict returns them."""
    first = batches[0]
    if isinstance(first, torch.Tensor):
        return _to_float32_numpy(torch.cat(batches))
    return tree.map_structure(lambda *leaves: _to_float32_numpy(torch.cat(leaves)), *batches)


def _to_float32_numpy(tensor: torch.Tensor) -> np.ndarray:
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bfloat16:  # NumPy has no bfloat16 (mixed_bfloat16 outputs)
        tensor = tensor.float()
    array = tensor.numpy()
    return array.astype(np.float32, copy=False) if array.dtype == np.float64 else array
