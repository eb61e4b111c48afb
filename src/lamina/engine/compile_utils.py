"""What `compile` configures: the loss over the model's outputs and the metrics per output."""
from __future__ import annotations

import torch

from lamina import losses as losses_module
from lamina import metrics as metrics_module
from lamina.metrics.resolve import check_name as check_metric_name
from lamina.metrics.resolve import alias_kind, shape_family

__all__ = ["BatchMean", "CompileLoss", "CompileMetrics", "CompiledMetricsGroup",
           "check_metric_names"]


class CompileLoss:
    """The total training loss: each output's loss, weighted by `loss_weights`, summed.

    Args:
        loss: a loss identifier, or a list/dict of them (one per output).
        loss_weights: a list/dict of scalars, one per output (default 1.0).
    """

    def __init__(self, loss, loss_weights=None):
        # loss=None is allowed: models that add their losses in call() or override train_step.
        for identifier in _flat_specs(loss):
            if not _is_crossentropy_alias(identifier):
                _as_loss_object(identifier)  # a misspelt name fails at compile, with close matches
        self.spec = loss
        self.loss_weights = loss_weights
        self.output_names = None
        self.losses = None
        self.weights = None

    def build(self, output_names: list[str]) -> None:
        """Matches the loss spec to the model's outputs."""
        self.output_names = list(output_names)
        if self.spec is None:
            self.losses = [None] * len(self.output_names)
            self.weights = [1.0] * len(self.output_names)
            return
        specs = _per_output(self.spec, self.output_names, "loss")
        loss_weights = _check_weights_match_losses(self.spec, self.loss_weights)
        weights = _per_output(loss_weights, self.output_names, "loss_weights", default=1.0)
        # 'crossentropy' stays a name until resolve_aliases() sees the shapes.
        self.losses = [s if _is_crossentropy_alias(s) else _as_loss_object(s) for s in specs]
        self.weights = [1.0 if w is None else float(w) for w in weights]

    def resolve_aliases(self, y_true_shapes: list, y_pred_shapes: list) -> None:
        """Keras 3's `loss='crossentropy'` (or 'ce'): the binary, sparse or categorical
        cross-entropy that the labels' and outputs' shapes call for, named as given."""
        for index, (loss, true_shape, pred_shape) in enumerate(
                zip(self.losses, y_true_shapes, y_pred_shapes)):
            if _is_crossentropy_alias(loss) and true_shape is not None:
                family = shape_family(true_shape, pred_shape)
                self.losses[index] = _CROSSENTROPY_LOSSES[family](name=loss)

    @property
    def is_multi_output(self) -> bool:
        return len(self.output_names) > 1

    def __call__(self, y_true: list, y_pred: list, sample_weight: list, row_scale=None):
        """Total loss and the per-output losses (before weighting), all tensors.

        `row_scale` (padded batches: rows / real rows) turns a mean over all rows of a batch
        whose padding rows weigh 0 into the mean over its real rows.
        """
        per_output = []
        total = None
        for loss, weight, truth, prediction, sw in zip(self.losses, self.weights, y_true, y_pred,
                                                     sample_weight):
            if loss is None:
                continue
            value = loss(truth, prediction, sample_weight=sw)
            if row_scale is not None and loss.reduction in ("sum_over_batch_size", "mean"):
                value = value * row_scale
            per_output.append(value)
            weighted = value if weight == 1.0 else value * weight
            total = weighted if total is None else total + weighted
        return total, per_output

    def active_output_names(self) -> list[str]:
        return [name for name, loss in zip(self.output_names, self.losses) if loss is not None]


class CompileMetrics:
    """The metrics of each output, resolved once the label and output shapes are known.

    `loss_tracker` is the run's "loss" mean (made at compile, so `model.metrics` lists it
    before any data is seen, as Keras does); a fresh one by default.
    """

    def __init__(self, metrics, weighted_metrics, compile_loss: CompileLoss,
                 y_true_shapes: list, y_pred_shapes: list, loss_tracker=None):
        names = compile_loss.output_names
        loss_specs = _per_output(compile_loss.spec, names, "loss")
        metric_specs = _per_output_metrics(metrics, names)
        weighted_specs = _per_output_metrics(weighted_metrics, names, "weighted_metrics")
        self.per_output = []
        for index, name in enumerate(names):
            resolved = [metrics_module.resolve(m, loss_specs[index], y_true_shapes[index],
                                               y_pred_shapes[index])
                        for m in metric_specs[index]]
            weighted = [metrics_module.resolve(m, loss_specs[index], y_true_shapes[index],
                                               y_pred_shapes[index])
                        for m in weighted_specs[index]]
            for metric in resolved + weighted:
                # The log name is the output's name and the metric's own (kept aside, so a
                # metric object compiled again is not prefixed twice).
                base = metric.__dict__.setdefault("_compile_base_name", metric.name)
                metric.name = f"{name}_{base}" if len(names) > 1 else base
            self.per_output.append((resolved, weighted))
        _make_names_unique(self.per_output, names if len(names) > 1 else None)
        self.loss_tracker = BatchMean(name="loss") if loss_tracker is None else loss_tracker
        # Keras logs each output's loss only when more than one output has a loss: with
        # loss={"a": None, "b": "mse"} the logs hold "loss" alone, not "b_loss" beside it.
        active = compile_loss.active_output_names()
        self.output_loss_trackers = []
        if len(active) > 1:
            self.output_loss_trackers = [BatchMean(name=f"{n}_loss") for n in active]
        # evaluate()'s list names the output losses in the order of a loss dict's keys.
        keys = list(compile_loss.spec) if isinstance(compile_loss.spec, dict) else []
        rank = {name: keys.index(name) if name in keys else len(keys) for name in active}
        self.listed_loss_trackers = [tracker for _, tracker in sorted(
            zip(active, self.output_loss_trackers), key=lambda pair: rank[pair[0]])]

    def compiled(self) -> list:
        """The metrics compile(metrics=, weighted_metrics=) made, output by output."""
        return [metric for resolved, weighted in self.per_output for metric in resolved + weighted]

    def all_metrics(self) -> list:
        metrics = [self.loss_tracker] + self.listed_loss_trackers
        for resolved, weighted in self.per_output:
            metrics += resolved + weighted
        return metrics

    def update_state(self, y_true: list, y_pred: list, sample_weight: list,
                     row_mask=None) -> None:
        """Updates every metric; `row_mask` (padded batches) weighs the padding rows 0."""
        for (resolved, weighted), truth, prediction, sw in zip(self.per_output, y_true, y_pred,
                                                              sample_weight):
            for metric in resolved:
                if row_mask is None:
                    metric.update_state(truth, prediction)
                else:
                    metric.update_state(truth, prediction, sample_weight=row_mask)
            for metric in weighted:
                metric.update_state(truth, prediction, sample_weight=sw)

    def update_losses(self, total: torch.Tensor, per_output: list, batch_size: int) -> None:
        self.loss_tracker.update_state(total, sample_weight=batch_size)
        for tracker, value in zip(self.output_loss_trackers, per_output):
            tracker.update_state(value, sample_weight=batch_size)

    def reset_state(self) -> None:
        for metric in self.all_metrics():
            metric.reset_state()

    def result_tensors(self) -> dict:
        """Metric name -> result tensor, in Keras' log order (sorted by name); a metric whose
        result is a dict contributes each of its entries."""
        return dict(sorted(metric_results(self.all_metrics()).items()))


class CompiledMetricsGroup(metrics_module.Metric):
    """Keras' `compile_metrics` entry of `model.metrics`: the metrics compile made, as one.

    What a custom `train_step` that loops over `self.metrics` updates (Keras' guide:
    `metric.update_state(y, y_pred)` for all but the loss): each compiled metric gets the
    batch, only weighted_metrics its sample weights. Its result is a dict, one entry per
    metric; it is empty until the first fit/evaluate resolves the metrics.

    Args:
        run: the compiled run whose engine holds the resolved metrics.
    """

    def __init__(self, run):
        super().__init__(name="compile_metrics")
        self._run = run

    def __repr__(self) -> str:
        return f"<CompileMetrics name={self.name}>"  # Keras' class of this entry

    @property
    def metrics(self) -> list:
        engine = self._run.engine
        return [] if engine is None or engine.metrics is None else engine.metrics.compiled()

    @property
    def variables(self) -> list:
        return [variable for metric in self.metrics for variable in metric.variables]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        engine = self._run.engine
        if engine is None or engine.metrics is None:
            raise ValueError("The compiled metrics are resolved from the data's shapes at the "
                             "first fit() or evaluate(); call one of them before updating "
                             "`compile_metrics` by hand.")
        engine.metrics.update_state(engine.targets(y_true), engine.outputs(y_pred),
                                    engine.sample_weights(sample_weight))

    def result(self) -> dict:
        return metric_results(self.metrics)

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


def metric_results(metrics) -> dict:
    """Metric name -> result tensor, in the metrics' order; a metric whose result is a dict
    contributes each of its entries."""
    results = {}
    for metric in metrics:
        value = metric.result()
        if isinstance(value, dict):
            results.update({k: torch.as_tensor(v) for k, v in value.items()})
        else:
            results[metric.name] = torch.as_tensor(value)
    return results


class BatchMean(metrics_module.Mean):
    """The running mean of per-batch scalars weighted by batch size: fit's loss trackers.

    A lean `Mean` for the hot path: two in-place adds per step, no allocation.
    `sample_weight` is the batch size: an int, or a 0-dim tensor (a padded batch's real rows).
    """

    def __repr__(self) -> str:
        return f"<Mean name={self.name}>"  # what Keras' model.metrics shows

    def update_state(self, value: torch.Tensor, sample_weight=1) -> None:
        if isinstance(sample_weight, torch.Tensor):
            self.total.add_(value * sample_weight)
        else:
            self.total.add_(value, alpha=sample_weight)
        self.count.add_(sample_weight)


def check_metric_names(metrics, weighted_metrics=None) -> None:
    """Raises for a metric name that no metric has, with close matches, before any data is seen.

    Example:
        >>> check_metric_names(["accuracy", "mae"])
        >>> check_metric_names(["acuracy"])
        Traceback (most recent call last):
        ...
        ValueError: Unknown metric: 'acuracy'. Did you mean 'accuracy' or 'Accuracy' or 'BinaryAccuracy'? ...
    """
    for spec in (metrics, weighted_metrics):
        for identifier in _flat_specs(spec):
            if isinstance(identifier, str):
                check_metric_name(identifier)


def _flat_specs(spec) -> list:
    """The identifiers in a compile spec: one, or a list/dict of them (nested one level)."""
    if spec is None:
        return []
    if isinstance(spec, dict):
        return [item for value in spec.values() for item in _flat_specs(value)]
    if isinstance(spec, (list, tuple)):
        return [item for value in spec for item in _flat_specs(value)]
    return [spec]


def _make_names_unique(per_output: list, output_names: list | None = None) -> None:
    """Keras' log names: a repeated name gets `_1`, `_2`; a weighted repeat `weighted_` in
    front of the metric's own name (`a_weighted_mae` on output "a")."""
    taken = {"loss"}
    for index, (resolved, weighted) in enumerate(per_output):
        for metric in resolved:
            metric.name = _free_name(metric.name, taken)
        prefix = f"{output_names[index]}_" if output_names else ""
        for metric in weighted:
            name = metric.name
            if name in taken:
                name = f"{prefix}weighted_{metric.__dict__.get('_compile_base_name', name)}"
            metric.name = _free_name(name, taken)


def _free_name(name: str, taken: set) -> str:
    candidate, index = name, 0
    while candidate in taken:
        index += 1
        candidate = f"{name}_{index}"
    taken.add(candidate)
    return candidate


_CROSSENTROPY_LOSSES = {"binary": losses_module.BinaryCrossentropy,
                        "sparse": losses_module.SparseCategoricalCrossentropy,
                        "categorical": losses_module.CategoricalCrossentropy}


def _is_crossentropy_alias(identifier) -> bool:
    return isinstance(identifier, str) and alias_kind(identifier) == "crossentropy"


def _as_loss_object(identifier):
    if identifier is None:
        return None
    loss = losses_module.get(identifier)
    if isinstance(loss, losses_module.Loss):
        return loss
    return losses_module.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))


def _per_output(spec, output_names: list[str], argument: str, default=None) -> list:
    """One entry of `spec` per output: broadcast a single spec, or match a list/dict."""
    count = len(output_names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"compile(): `{argument}` has keys {sorted(unknown)} that are not output "
                             f"names of the model. Output names: {output_names}.")
        return [spec.get(name, default if argument != "loss" else None) for name in output_names]
    if isinstance(spec, (list, tuple)) and argument != "metrics":
        if len(spec) != count:
            raise ValueError(f"compile(): `{argument}` has {len(spec)} entries, but the model has "
                             f"{count} outputs ({output_names}).")
        return list(spec)
    return [spec if spec is not None else default] * count


def _check_weights_match_losses(loss, loss_weights):
    """`loss_weights` paired with the losses given, as Keras pairs them (not with the outputs):
    one loss broadcast to two outputs takes one weight (a scalar or [w]), never a list of two."""
    single_loss = not isinstance(loss, (list, tuple, dict))
    listed = isinstance(loss_weights, (list, tuple))
    if single_loss and listed and len(loss_weights) != 1:
        raise ValueError(
            f"`loss_weights` must match the number of losses, got 1 losses and "
            f"{len(loss_weights)} weights. Give one loss per output, e.g. "
            f"loss={[loss if isinstance(loss, str) else 'mse'] * len(loss_weights)!r}, or a "
            f"dict keyed by output name. Received: loss={loss!r}, loss_weights={loss_weights!r}.")
    if single_loss and listed:
        return loss_weights[0]
    return loss_weights


def _per_output_metrics(spec, output_names: list[str], argument: str = "metrics") -> list[list]:
    count = len(output_names)
    if spec is None:
        return [[] for _ in range(count)]
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"compile(): `{argument}` has keys {sorted(unknown)} that are not output "
                             f"names of the model. Output names: {output_names}.")
        return [_as_list(spec.get(name)) for name in output_names]
    if not isinstance(spec, (list, tuple)):
        raise TypeError(f"compile(): `{argument}` must be a list, tuple or dict, but received "
                        f"{type(spec).__name__}: {spec!r}.")
    if count == 1:
        return [[m for entry in spec for m in _as_list(entry)]]
    if len(spec) == count:
        # Keras 3: a list as long as the outputs holds one entry (a metric, a list of them,
        # or None) per output: metrics=["mae", "mse"] gives a_mae and b_mse.
        return [_as_list(s) for s in spec]
    if any(isinstance(s, (list, tuple)) for s in spec):
        raise ValueError(f"compile(): `{argument}` nests lists in {len(spec)} entries for a "
                         f"model with {count} outputs {output_names}; give one entry per "
                         f"output, or a dict keyed by output name. Received: "
                         f"{argument}={spec!r}.")
    # Any other flat list applies to every output, as in tf.keras (books print it so).
    return [list(spec) for _ in range(count)]


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
