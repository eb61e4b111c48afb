"""Confusion-matrix metrics: TruePositives ... FalseNegatives, Precision and Recall.

A prediction counts as positive when it is strictly above a threshold. Counts are
(weighted) sums kept per threshold, on the device; with evenly spaced thresholds (AUC's
default) predictions are bucketed in one pass instead of compared with every threshold.

Example:
    >>> m = Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
"""
from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.losses.base import check_sample_weight_shape
from lamina.metrics.base import Metric, divide_no_nan, squeeze_or_expand_to_same_rank

__all__ = [
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
    "Precision", "Recall", "confusion_counts",
]

# Threshold used with `top_k`: every prediction kept by the top-k filter is above it.
NEG_INF = -1e10
_COUNTS = ("tp", "fp", "tn", "fn")


def _parse_thresholds(thresholds, default: float) -> list[float]:
    """`thresholds` as a list of floats, checked to lie in [0, 1]; `[default]` when None."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    invalid = [t for t in values if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return [float(t) for t in values]


def _is_evenly_distributed(thresholds) -> bool:
    """Whether thresholds are i / (n - 1) for i = 0 .. n - 1 (n >= 3), up to epsilon."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _filter_top_k(y_pred: torch.Tensor, k: int) -> torch.Tensor:
    """Keeps the `k` largest values of the last axis and sets the others to NEG_INF."""
    # A stable sort breaks ties towards the lower index, as Keras' top_k does on TF and JAX.
    top_indices = y_pred.sort(dim=-1, descending=True, stable=True).indices[..., :k]
    keep = torch.zeros_like(y_pred).scatter_(-1, top_indices, 1.0)
    return y_pred * keep + NEG_INF * (1.0 - keep)


def confusion_counts(y_true: torch.Tensor, y_pred: torch.Tensor, thresholds: torch.Tensor, *,
                     evenly_spaced: bool, with_epsilon: bool = False, top_k: int | None = None,
                     class_id: int | None = None, sample_weight: torch.Tensor | None = None,
                     multi_label: bool = False,
                     label_weights: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Weighted true/false positive/negative counts per threshold, for one batch.

    Args:
        y_true: Labels, cast to bool (non-zero is positive).
        y_pred: Scores; positive where strictly above a threshold.
        thresholds: 1-D tensor of thresholds, ascending, on `y_pred`'s device.
        evenly_spaced: Whether `thresholds` are evenly spaced over [0, 1] (bucketing path).
        with_epsilon: Whether the end thresholds lie just outside [0, 1] (AUC's).
        top_k: Keep only the `top_k` largest predictions of each sample.
        class_id: Count only this class (last axis of `y_pred`).
        sample_weight: Weights broadcastable to the labels.
        multi_label: Keep the last axis as separate labels (counts of shape `(T, L)`).
        label_weights: Per-label weights, applied when not `multi_label`.

    Returns:
        Dict with keys 'tp', 'fp', 'tn', 'fn', each of shape `(T,)` or `(T, L)`.
    """
    dtype = thresholds.dtype
    y_true, y_pred = y_true.to(dtype), y_pred.to(dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = sample_weight.to(dtype).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {tuple(y_pred.shape)}.")
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    weights = None
    if sample_weight is not None:
        check_sample_weight_shape(sample_weight, y_pred.shape)
        weights = sample_weight.broadcast_to(y_pred.shape)
    if label_weights is not None and not multi_label:
        label_weights = label_weights.to(dtype).unsqueeze(0).broadcast_to(y_pred.shape)
        weights = label_weights if weights is None else weights * label_weights
    positive = (y_true != 0).broadcast_to(y_pred.shape)
    if evenly_spaced:
        return _bucketed_counts(positive, y_pred, weights, thresholds.numel(), with_epsilon,
                                multi_label)
    return _compared_counts(positive, y_pred, weights, thresholds, multi_label)


def _bucketed_counts(positive, y_pred, weights, num_thresholds, with_epsilon, multi_label):
    """Counts in O(N + T): each score falls in one bucket; a reversed cumsum gives `> t_i`."""
    weights = torch.ones_like(y_pred) if weights is None else weights
    true_weights = positive.to(y_pred.dtype) * weights
    false_weights = (~positive).to(y_pred.dtype) * weights
    buckets = torch.ceil(y_pred.clamp(0.0, 1.0) * (num_thresholds - 1)) - 1
    if not with_epsilon:
        # A score of exactly 0 is above no threshold when the first threshold is 0.
        above_first = (buckets >= 0).to(y_pred.dtype)
        true_weights, false_weights = true_weights * above_first, false_weights * above_first
    buckets = buckets.clamp_min(0).long()
    if not multi_label:
        buckets, true_weights, false_weights = (
            buckets.reshape(-1), true_weights.reshape(-1), false_weights.reshape(-1))
        shape = (num_thresholds,)
    else:
        shape = (num_thresholds, y_pred.shape[-1])
    tp = _reverse_cumsum(torch.zeros(shape, dtype=y_pred.dtype, device=y_pred.device)
                         .scatter_add_(0, buckets, true_weights))
    fp = _reverse_cumsum(torch.zeros(shape, dtype=y_pred.dtype, device=y_pred.device)
                         .scatter_add_(0, buckets, false_weights))
    total_true, total_false = _totals(positive, weights, multi_label)
    return {"tp": tp, "fp": fp, "tn": total_false - fp, "fn": total_true - tp}


def _totals(positive, weights, multi_label):
    true_weights = positive.to(weights.dtype) * weights
    false_weights = (~positive).to(weights.dtype) * weights
    if multi_label:
        return true_weights.sum(dim=0), false_weights.sum(dim=0)
    return true_weights.sum(), false_weights.sum()


def _reverse_cumsum(buckets: torch.Tensor) -> torch.Tensor:
    return buckets.flip(0).cumsum(0).flip(0)


def _compared_counts(positive, y_pred, weights, thresholds, multi_label):
    """Counts in O(N * T) by comparing every score with every threshold."""
    if multi_label:
        scores, labels = y_pred.unsqueeze(0), positive.unsqueeze(0)
        limits = thresholds.reshape(-1, 1, 1)
        weights = None if weights is None else weights.unsqueeze(0)
    else:
        scores, labels = y_pred.reshape(1, -1), positive.reshape(1, -1)
        limits = thresholds.reshape(-1, 1)
        weights = None if weights is None else weights.reshape(1, -1)
    predicted = scores > limits

    def count(label_mask, predicted_mask):
        both = label_mask & predicted_mask
        if weights is None:
            return both.to(y_pred.dtype).sum(dim=1)
        return torch.where(both, weights, torch.zeros_like(weights)).sum(dim=1)

    return {"tp": count(labels, predicted), "fp": count(~labels, predicted),
            "tn": count(~labels, ~predicted), "fn": count(labels, ~predicted)}


class _ThresholdMetric(Metric):
    """Shared plumbing: thresholds on the device and one counter per confusion cell."""

    def _init_thresholds(self, thresholds: list[float]) -> None:
        self.thresholds = thresholds
        self._evenly_spaced = _is_evenly_distributed(thresholds)
        self._with_epsilon = self._evenly_spaced and (thresholds[0] < 0.0 or thresholds[-1] > 1.0)
        self._add_constant(thresholds, "_threshold_values")

    def _counts(self, y_true, y_pred, sample_weight, **options) -> dict[str, torch.Tensor]:
        self._follow_device(y_pred, y_true, sample_weight)
        y_true = self._to_tensor(y_true)
        y_pred = self._to_tensor(y_pred)
        if sample_weight is not None:
            sample_weight = self._to_tensor(sample_weight)
        return confusion_counts(y_true, y_pred, self._threshold_values,
                                evenly_spaced=self._evenly_spaced, with_epsilon=self._with_epsilon,
                                sample_weight=sample_weight, **options)

    def _per_threshold(self, values: torch.Tensor) -> torch.Tensor:
        """A 0-dim result for one threshold, else one value per threshold (as Keras)."""
        return values[0] if len(self.thresholds) == 1 else values


class _ConfusionCount(_ThresholdMetric):
    """The weighted number of samples in one cell of the confusion matrix."""

    _cell = "tp"

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self._init_thresholds(_parse_thresholds(thresholds, default=0.5))
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds one batch's count to the accumulator."""
        self.accumulator.add_(self._counts(y_true, y_pred, sample_weight)[self._cell])

    def result(self) -> torch.Tensor:
        """The count (one per threshold when several were given)."""
        return self._per_threshold(self.accumulator).clone()

    def get_config(self) -> dict:
        """Name, dtype and thresholds."""
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The (weighted) number of positive labels predicted above the threshold.

    Args:
        thresholds: A float or list of floats in [0, 1]; defaults to 0.5.
        name: Defaults to 'true_positives'.
        dtype: Defaults to floatx.

    Example:
        >>> float(TruePositives()([0, 1, 1, 1], [1, 0, 1, 1]))
        2.0
    """

    _cell = "tp"


class FalsePositives(_ConfusionCount):
    """The (weighted) number of negative labels predicted above the threshold.

    Args:
        thresholds: A float or list of floats in [0, 1]; defaults to 0.5.
        name: Defaults to 'false_positives'.
        dtype: Defaults to floatx.

    Example:
        >>> float(FalsePositives()([0, 1, 0, 0], [0, 0, 1, 1]))
        2.0
    """

    _cell = "fp"


class TrueNegatives(_ConfusionCount):
    """The (weighted) number of negative labels predicted at or below the threshold.

    Args:
        thresholds: A float or list of floats in [0, 1]; defaults to 0.5.
        name: Defaults to 'true_negatives'.
        dtype: Defaults to floatx.

    Example:
        >>> float(TrueNegatives()([0, 1, 0, 0], [1, 1, 0, 0]))
        2.0
    """

    _cell = "tn"


class FalseNegatives(_ConfusionCount):
    """The (weighted) number of positive labels predicted at or below the threshold.

    Args:
        thresholds: A float or list of floats in [0, 1]; defaults to 0.5.
        name: Defaults to 'false_negatives'.
        dtype: Defaults to floatx.

    Example:
        >>> float(FalseNegatives()([0, 1, 1, 1], [0, 1, 0, 0]))
        2.0
    """

    _cell = "fn"


class _PrecisionRecall(_ThresholdMetric):
    """Precision and Recall: `tp / (tp + <other cell>)` per threshold."""

    _other = "fp"

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self._init_thresholds(_parse_thresholds(thresholds, default=default))
        self.true_positives = self.add_variable((len(self.thresholds),), name="true_positives")
        setattr(self, self._other_name,
                self.add_variable((len(self.thresholds),), name=self._other_name))

    @property
    def _other_name(self) -> str:
        return "false_positives" if self._other == "fp" else "false_negatives"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds one batch's true positives and false positives (or negatives)."""
        counts = self._counts(y_true, y_pred, sample_weight, top_k=self.top_k,
                              class_id=self.class_id)
        self.true_positives.add_(counts["tp"])
        getattr(self, self._other_name).add_(counts[self._other])

    def result(self) -> torch.Tensor:
        """`tp / (tp + other)`, 0 where nothing was counted."""
        other = getattr(self, self._other_name)
        return self._per_threshold(divide_no_nan(self.true_positives, self.true_positives + other))

    def get_config(self) -> dict:
        """Name, dtype, thresholds, top_k and class_id."""
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """The fraction of predicted positives that are positive: `tp / (tp + fp)`.

    Args:
        thresholds: A float or list of floats in [0, 1]; defaults to 0.5 (or, with
            `top_k`, "every prediction in the top k").
        top_k: Count only the `top_k` highest predictions of each sample as positive.
        class_id: Compute the metric for this class only (last axis of predictions).
        name: Defaults to 'precision'.
        dtype: Defaults to floatx.

    Example:
        >>> float(Precision(top_k=2)([[0, 0, 1, 1]], [[1, 1, 1, 1]]))
        0.0
    """

    _other = "fp"


class Recall(_PrecisionRecall):
    """The fraction of positives predicted positive: `tp / (tp + fn)`.

    Args:
        thresholds: A float or list of floats in [0, 1]; defaults to 0.5 (or, with
            `top_k`, "every prediction in the top k").
        top_k: Count only the `top_k` highest predictions of each sample as positive.
        class_id: Compute the metric for this class only (last axis of predictions).
        name: Defaults to 'recall'.
        dtype: Defaults to floatx.

    Example:
        >>> round(float(Recall()([0, 1, 1, 1], [1, 0, 1, 1])), 4)
        0.6667
    """

    _other = "fn"
