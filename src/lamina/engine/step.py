"""The train / test / predict steps: tensors in, device state updated, nothing read back.

Each step is a plain function of tensors (DESIGN.md §5): no `.item()`, no Python-side
state that changes per step, so it can later be compiled or captured as it is.
"""
from __future__ import annotations

import contextlib
import inspect
import warnings
from collections import OrderedDict
from collections.abc import Mapping

import torch
from torch.utils import _pytree as pytree

from lamina import losses as losses_module
from lamina import tree
from lamina.engine import distribution
from lamina.engine.compile_utils import CompileMetrics, metric_results
from lamina.engine.fused_dense import DenseChain
from lamina.random.seed_generator import SeedGenerator

__all__ = ["Engine", "LazyLogs"]



def trained_parameters(model) -> list:
    """What a step updates: the model's trainable weights, then the parameters of plain torch
    modules inside its layers (an nn.Linear in a custom layer), which train too."""
    params = model.trainable_weights
    known = {id(p) for p in params}
    return params + [p for p in model.parameters() if p.requires_grad and id(p) not in known]

class Engine:
    """The steps of one compiled model, with its parameters, losses, optimizer and metrics.

    Args:
        model: the compiled model.
        sample_x: one batch of inputs, used to build the model and learn its output shapes.
        sample_y: the matching targets (None for predict-only use).
    """

    def __init__(self, model, sample_x, sample_y=None):
        self.model = model
        # The sample call only learns shapes: it leaves the model's state as it found it
        # (a stateful RNN's states: every buffer; the random streams, so a seeded layer's
        # draws in training are Keras' first ones), as Keras' symbolic build does.
        state = {name: buffer.clone() for name, buffer in model.named_buffers()}
        with torch.no_grad(), _random_streams_kept(model):
            # A model without `call` trains only through its own train_step (keras.io's GAN,
            # made of two models): there is no output to learn, and its inputs stand in.
            sample_pred = model(sample_x, training=False) if _implements_call(model) else sample_x
            for name, buffer in model.named_buffers():
                if name in state and buffer.shape == state[name].shape:
                    buffer.copy_(state[name])
        self.output_names = _output_names(model, sample_pred)
        self.is_multi_output = len(self.output_names) > 1
        self._output_shapes = [(None,) + tuple(p.shape[1:]) for p in self.outputs(sample_pred)]
        self.metrics = None
        self._layer_metrics = None
        self.runner = distribution.current().wrap_model(model)  # the module the steps call
        # Set by the compiled run under jit_compile: torch.compile'd forward_loss / forward.
        self.compiled_forward_loss = self.compiled_test_forward_loss = None
        self.compiled_predict = None
        self.fused = None  # the written-out step of a Dense chain (fused_dense.py), if it fits
        self.knows_targets = sample_y is not None
        if model.compiled_loss is not None:
            model.compiled_loss.build(self.output_names)
            if sample_y is not None:
                model.compiled_loss.resolve_aliases(
                    [None if t is None else tuple(t.shape) for t in self.targets(sample_y)],
                    [tuple(p.shape) for p in self.outputs(sample_pred)])
            self._build_metrics(sample_y, sample_pred)
        self.refresh_parameters()
        from lamina.models.model import Model

        compute_loss = getattr(type(model), "compute_loss", None)
        self.custom_loss = compute_loss is not None and compute_loss is not Model.compute_loss
        # Keras passes `training` only to a compute_loss that takes it (older overrides,
        # keras.io's distillation example among them, have no such parameter).
        self._loss_takes_training = self.custom_loss and _takes_argument(model.compute_loss,
                                                                         "training")
        if model.compiled_loss is not None and self.metrics is not None and not self.custom_loss \
                and getattr(model, "_compiled_run", None) is not None \
                and model._compiled_run.fuses_dense_chains:
            self.fused = DenseChain.match(model)

    def _build_metrics(self, sample_y, sample_pred) -> None:
        preds = self.outputs(sample_pred)
        metrics_spec, weighted_spec = self.model._metrics_spec
        if sample_y is None:  # fit(x) alone: only the loss can be tracked
            metrics_spec = weighted_spec = None
            true_shapes = [None] * len(preds)
        else:
            true_shapes = [None if t is None else tuple(t.shape) for t in self.targets(sample_y)]
        run = getattr(self.model, "_compiled_run", None)
        self.metrics = CompileMetrics(metrics_spec, weighted_spec, self.model.compiled_loss,
                                      true_shapes, [tuple(p.shape) for p in preds],
                                      loss_tracker=getattr(run, "loss_tracker", None))

    def refresh_parameters(self) -> None:
        """Re-reads which weights train (a layer may have been frozen since the last fit)."""
        model = self.model
        self.params = trained_parameters(model)
        self.regularized = [(regularizer, weight) for layer in model._flatten_layers()
                            for regularizer, weight in layer._weight_regularizers]
        self.constrained = [(p, p.constraint) for p in self.params
                            if getattr(p, "constraint", None) is not None]

    def validate_targets(self, y) -> None:
        """Checks labels against the loss and output shape once per fit/evaluate (may sync)."""
        if y is None or self.model.compiled_loss.losses is None:
            return
        for loss, truth, shape in zip(self.model.compiled_loss.losses, self.targets(y),
                                      self._output_shapes):
            if loss is not None:
                losses_module.validate_targets(loss, truth, shape)

    # ------------------------------------------------------------------ structure helpers
    def outputs(self, y_pred) -> list:
        """The model's outputs as a flat list, in the order of `output_names`."""
        if isinstance(y_pred, torch.Tensor):
            return [y_pred]
        if isinstance(y_pred, dict):
            if all(isinstance(y_pred.get(name), torch.Tensor) for name in self.output_names):
                return [y_pred[name] for name in self.output_names]
        elif all(isinstance(item, torch.Tensor) for item in y_pred):
            return list(y_pred)
        return tree.flatten(y_pred)  # nested outputs, `[x, [y, z]]`: Keras' flat order

    def targets(self, y) -> list:
        if y is None:
            return [None] * len(self.output_names)
        if isinstance(y, torch.Tensor):
            if self.is_multi_output:
                return self._targets_of_the_losses([y])
            return [y]
        if isinstance(y, dict):
            missing = [n for n in self.output_names if n not in y]
            unknown = [k for k in y if k not in self.output_names]
            if unknown or (missing and not self.is_multi_output):
                raise ValueError(f"`y` has keys {sorted(y)}, but the model's outputs are named "
                                 f"{self.output_names}.")
            return [y.get(name) for name in self.output_names]
        y = list(y)
        if len(y) != len(self.output_names):
            return self._targets_of_the_losses(y)
        return y

    def _targets_of_the_losses(self, y: list) -> list:
        """Keras' reading of fewer targets than outputs: one per output that has a loss, in
        order (`loss=[fn, None]` with a single `y`)."""
        losses = getattr(self.model.compiled_loss, "losses", None) or []
        with_loss = [i for i, loss in enumerate(losses) if loss is not None]
        if len(with_loss) != len(y):
            raise ValueError(f"The model has {len(self.output_names)} outputs "
                             f"({self.output_names}); pass `y` as a list or a dict keyed by "
                             f"output name.")
        targets = [None] * len(self.output_names)
        for index, target in zip(with_loss, y):
            targets[index] = target
        return targets

    def sample_weights(self, sample_weight) -> list:
        if sample_weight is None or isinstance(sample_weight, torch.Tensor):
            return [sample_weight] * len(self.output_names)
        if isinstance(sample_weight, dict):
            return [sample_weight.get(name) for name in self.output_names]
        return list(sample_weight)

    # ------------------------------------------------------------------ steps
    def loss(self, trues, preds, sws, row_scale=None):
        """Training loss: compiled loss + weight penalties + losses added in `call`."""
        total, per_output = None, []
        if self.model.compiled_loss is not None and self.model.compiled_loss.spec is not None:
            total, per_output = self.model.compiled_loss(trues, preds, sws, row_scale)
        for regularizer, weight in self.regularized:
            total = regularizer(weight) if total is None else total + regularizer(weight)
        for extra in self.model._last_call_losses:
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("There is no loss to minimize: compile() was called without `loss` and "
                             "the model adds none with self.add_loss(). Pass e.g. loss='mse' to "
                             "compile(), or override train_step() (test_step() for evaluate).")
        return total, per_output

    def forward_loss(self, x, y, sample_weight, valid=None, training: bool = True):
        """Forward pass and loss: what `jit_compile=True` hands to `torch.compile`.

        Returns `(total, per_output, trues, preds, sample_weights, row_mask)`.
        """
        y_pred = self.runner(x, training=training)
        preds = self.outputs(y_pred)
        trues = self.targets(y)
        sws, row_mask, row_scale = self._row_weights(x, sample_weight, valid)
        if self.custom_loss:  # the model overrides Keras' `compute_loss`: its loss is the loss
            extra = {"training": training} if self._loss_takes_training else {}
            total = self.model.compute_loss(x, y, y_pred, sample_weight, **extra)
            return total, [], trues, preds, sws, row_mask
        total, per_output = self.loss(trues, preds, sws, row_scale)
        return total, per_output, trues, preds, sws, row_mask

    def train_step(self, x, y, sample_weight, valid=None) -> None:
        """One update: forward, loss, backward of the optimizer-scaled loss, update, metrics.

        `valid` (an int or a 0-dim tensor) marks a padded batch: only its first `valid` rows
        count in the loss, its gradients and the metrics.
        """
        if (self.fused is not None and valid is None and self.compiled_forward_loss is None
                and self.fused.accepts(x, y, sample_weight, self.params)):
            self.fused.train_step(self, x, y, sample_weight)
            return
        forward_loss = self.compiled_forward_loss or self.forward_loss
        total, per_output, trues, preds, sws, row_mask = forward_loss(x, y, sample_weight, valid,
                                                                      True)
        params = self.params
        optimizer = self.model.optimizer
        if params:  # a fully frozen model still reports its loss, as in Keras
            # Gradients a user's own backward() left behind must not join this step's (Keras
            # zeroes them first too); None is cheaper than zeros, as PyTorch recommends.
            for p in params:
                p.grad = None
            # Keras: the optimizer scales the loss (loss_scale_factor, a LossScaleOptimizer's
            # dynamic scale) and its `apply` unscales the gradients.
            optimizer.scale_loss(total).backward()
            grads = [p.grad for p in params]
            if any(g is None for g in grads):
                if not optimizer.built:  # Keras builds on every trainable weight, used or not,
                    optimizer.build(params)  # so a reloaded model's state lines up
                params, grads = _drop_missing_gradients(params, grads)
            optimizer.apply(grads, params)
        elif not getattr(self, "_warned_frozen", False):
            # Only training warns, as in Keras: predicting with a frozen base is the
            # feature-extraction recipe of transfer learning.
            warnings.warn("The model does not have any trainable weights.", stacklevel=3)
            self._warned_frozen = True
        with torch.no_grad():
            for parameter, constraint in self.constrained:
                parameter.copy_(constraint(parameter))
            self._update_metrics(x, total.detach(), [v.detach() for v in per_output], trues,
                                 [_detached(p) for p in preds], sws, row_mask, valid)

    @torch.no_grad()
    def test_step(self, x, y, sample_weight, valid=None) -> None:
        forward_loss = self.compiled_test_forward_loss or self.forward_loss
        total, per_output, trues, preds, sws, row_mask = forward_loss(x, y, sample_weight, valid,
                                                                      False)
        self._update_metrics(x, total, per_output, trues, preds, sws, row_mask, valid)

    def _update_metrics(self, x, total, per_output, trues, preds, sws, row_mask, valid) -> None:
        self.metrics.update_losses(total, per_output, _batch_size(x) if valid is None else valid)
        self.metrics.update_state(trues, preds, sws, row_mask)

    def _row_weights(self, x, sample_weight, valid):
        """Sample weights, the mask of real rows and the loss rescale for a padded batch."""
        sws = self.sample_weights(sample_weight)
        if valid is None:
            return sws, None, None
        rows = _batch_size(x)
        device = _first_tensor(x).device
        row_mask = (torch.arange(rows, device=device) < valid).to(torch.float32)
        sws = [None if sw is None else sw * row_mask.reshape((rows,) + (1,) * (sw.dim() - 1))
               for sw in sws]
        sws = [row_mask if sw is None else sw for sw in sws]
        # The losses divide by all `rows`; the short batch's loss divides by `valid` of them.
        return sws, row_mask, rows / valid if isinstance(valid, int) else rows / valid.float()

    @torch.no_grad()
    def predict_step(self, x, y=None, sample_weight=None, valid=None):
        if self.compiled_predict is not None:
            return self.compiled_predict(x)
        return self.runner(x, training=False)

    # ------------------------------------------------------------------ logs
    def logs(self) -> dict:
        """Current metric values: scalars as Python floats (one host read for all of them),
        vector results (F1Score per class, several thresholds) as NumPy arrays, as in Keras."""
        results = self.metrics.result_tensors()
        results.update(metric_results(self._tracked_metrics()))
        return results_as_logs(results)

    def _tracked_metrics(self) -> list:
        """Metrics the model's layers keep (logged after the compiled ones, as in Keras)."""
        if self._layer_metrics is None:
            self._layer_metrics = self.model._tracked_metrics_besides(self.metrics)
        return self._layer_metrics

    def lazy_logs(self) -> LazyLogs:
        return LazyLogs(self)


def results_as_logs(results: dict) -> dict:
    """Result tensors as Keras' logs hold them: scalars as Python floats (one host read for all
    of them), vector results (F1Score per class, several thresholds) as NumPy arrays."""
    scalars = [name for name, value in results.items() if value.ndim == 0]
    values = torch.stack([results[n].detach().float().reshape(()) for n in scalars]).tolist() \
        if scalars else []
    logs = dict(zip(scalars, values))
    for name, value in results.items():
        if name not in logs:
            logs[name] = value.detach().cpu().numpy()
    return {name: logs[name] for name in results}


class LazyLogs(Mapping):
    """Batch logs whose values are read from the device only when someone looks at them."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._values = None

    def _materialize(self) -> dict:
        if self._values is None:
            self._values = self._engine.logs()
        return self._values

    def __getitem__(self, key):
        return self._materialize()[key]

    def __iter__(self):
        return iter(self._materialize())

    def __len__(self) -> int:
        return len(self._materialize())


def _output_names(model, sample_pred) -> list[str]:
    names = getattr(model, "output_names", None)
    if names:
        return list(names)
    if isinstance(sample_pred, dict):
        # Keras' order for a dict of outputs: sorted keys, unless it is an OrderedDict.
        return list(sample_pred) if isinstance(sample_pred, OrderedDict) else sorted(sample_pred)
    if isinstance(sample_pred, (list, tuple)):
        return [f"output_{i + 1}" for i in range(len(sample_pred))]
    layers = getattr(model, "layers", None)
    return [layers[-1].name] if layers else ["output_1"]


def _takes_argument(function, name: str) -> bool:
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):  # a builtin without a signature: call it as Keras would
        return True


def _batch_size(x) -> int:
    return _first_tensor(x).shape[0]


def _first_tensor(x):
    """The first tensor of `x` (a NumPy array of text when the inputs are strings)."""
    if isinstance(x, torch.Tensor):
        return x
    leaves = pytree.tree_leaves(x)
    return next((leaf for leaf in leaves if isinstance(leaf, torch.Tensor)), leaves[0])


@contextlib.contextmanager
def _random_streams_kept(model):
    """Runs the block, then puts back torch's global generator and every SeedGenerator counter
    of `model`'s layers (found among their attributes) as they were before it."""
    generators = [value for layer in model.modules() for value in vars(layer).values()
                  if isinstance(value, SeedGenerator)]
    counters = [generator.counter for generator in generators]
    global_state = torch.get_rng_state()
    try:
        yield
    finally:
        torch.set_rng_state(global_state)
        for generator, counter in zip(generators, counters):
            generator.counter = counter


def _implements_call(model) -> bool:
    from lamina.models.model import Model

    return type(model).call is not Model.call or type(model).forward is not Model.forward


def _drop_missing_gradients(params, grads):
    kept = [(p, g) for p, g in zip(params, grads) if g is not None]
    return [p for p, _ in kept], [g for _, g in kept]


def _detached(prediction: torch.Tensor) -> torch.Tensor:
    """`prediction.detach()` keeping its Keras mask, so training metrics weight by it as
    evaluate's do (Keras' metrics read the mask of y_pred)."""
    detached = prediction.detach()
    mask = getattr(prediction, "_keras_mask", None)
    if mask is not None:
        detached._keras_mask = mask
    return detached
