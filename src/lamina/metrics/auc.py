"""AUC: the area under the ROC or precision-recall curve, from counts at fixed thresholds.

Example:
    >>> m = AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.75
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.metrics.base import Metric, divide_no_nan
from lamina.metrics.confusion import _is_evenly_distributed, confusion_counts

__all__ = ["AUC"]

_CURVES = {"roc": "ROC", "pr": "PR"}
_SUMMATIONS = ("interpolation", "Interpolation", "majoring", "Majoring", "minoring", "Minoring")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    Thresholds are `i / (num_thresholds - 1)` for the inner points plus `-1e-7` and
    `1 + 1e-7` at the ends (or the given `thresholds` plus those two ends). The area is
    a Riemann sum over them: mid-point heights ('interpolation'; for PR, the
    Davis & Goadrich interpolation), or lower ('minoring') / upper ('majoring') heights.

    Args:
        num_thresholds: Number of thresholds, > 1. Defaults to 200.
        curve: 'ROC' (default) or 'PR'.
        summation_method: 'interpolation' (default), 'minoring' or 'majoring'.
        name: Defaults to 'auc' (made unique: 'auc_1', ...).
        dtype: Defaults to floatx.
        thresholds: Inner thresholds in [0, 1]; when given, `num_thresholds` is ignored.
        multi_label: Compute one AUC per label (last axis) and average them, instead of
            flattening all labels into one curve.
        num_labels: Number of labels with `multi_label=True` (else taken from the data).
        label_weights: Per-label weights: for averaging label AUCs (`multi_label`), or
            for weighting the flattened predictions.
        from_logits: Whether predictions are logits (a sigmoid is applied first).

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None, dtype=None,
                 thresholds=None, multi_label: bool = False, num_labels: int | None = None,
                 label_weights=None, from_logits: bool = False):
        self.curve = _parse_curve(curve)
        self.summation_method = _parse_summation(summation_method)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
            evenly_spaced = _is_evenly_distributed([0.0] + inner + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            evenly_spaced = True
        super().__init__(name=name, dtype=dtype)
        self._evenly_spaced = evenly_spaced
        self._thresholds = [0.0 - backend.epsilon()] + inner + [1.0 + backend.epsilon()]
        self._add_constant(self._thresholds, "_threshold_values")
        self.multi_label = multi_label
        self.num_labels = num_labels
        self._label_weights_config = (None if label_weights is None
                                      else [float(w) for w in label_weights])
        if label_weights is not None:
            self._add_constant(self._label_weights_config, "_label_weight_values")
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        elif num_labels:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        else:
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """All thresholds, the two end points included."""
        return list(self._thresholds)

    @property
    def label_weights(self) -> torch.Tensor | None:
        """The per-label weights as a tensor on the state's device, or None."""
        return getattr(self, "_label_weight_values", None)

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                                 f"{len(shape)}. Full shape received for `y_pred`: {tuple(shape)}")
            self._num_labels = shape[1]
            state_shape = (self.num_thresholds, self._num_labels)
        else:
            state_shape = (self.num_thresholds,)
        for cell in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, cell, self.add_variable(state_shape, name=cell))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds one batch to the counts at every threshold."""
        self._follow_device(y_pred, y_true, sample_weight)
        y_true = self._to_tensor(y_true)
        y_pred = self._to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if sample_weight is not None:
            sample_weight = self._to_tensor(sample_weight)
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        counts = confusion_counts(
            y_true, y_pred, self._threshold_values, evenly_spaced=self._evenly_spaced,
            with_epsilon=True, sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)
        self.true_positives.add_(counts["tp"])
        self.false_positives.add_(counts["fp"])
        self.true_negatives.add_(counts["tn"])
        self.false_negatives.add_(counts["fn"])

    def result(self) -> torch.Tensor:
        """The area under the curve (averaged over labels with `multi_label`)."""
        if not self._built:
            return torch.zeros((), dtype=self._torch_dtype, device=self._device)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._average_labels(self._interpolated_pr_areas())
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._average_labels((x[:-1] - x[1:]) * heights)

    def _interpolated_pr_areas(self) -> torch.Tensor:
        """Davis & Goadrich: TP and FP vary linearly between thresholds, precision does not."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        predicted = tp + fp
        dp = predicted[:-1] - predicted[1:]
        slope = divide_no_nan(dtp, dp.clamp_min(0))
        intercept = tp[1:] - slope * predicted[1:]
        both_positive = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = torch.where(both_positive,
                            divide_no_nan(predicted[:-1], predicted[1:].clamp_min(0)),
                            torch.ones_like(predicted[1:]))
        return divide_no_nan(slope * (dtp + intercept * torch.log(ratio)),
                             (tp[1:] + fn[1:]).clamp_min(0))

    def _average_labels(self, areas: torch.Tensor) -> torch.Tensor:
        if not self.multi_label:
            return areas.sum()
        by_label = areas.sum(dim=0)
        weights = self.label_weights
        if weights is None:
            return by_label.mean()
        return divide_no_nan((by_label * weights).sum(), weights.sum())

    def reset_state(self) -> None:
        """Zeroes the counts (if they exist yet)."""
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        """Keras' AUC config; `thresholds` only when they were given."""
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self._label_weights_config, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


def _parse_curve(curve: str) -> str:
    if isinstance(curve, str) and curve in ("ROC", "roc", "PR", "pr"):
        return _CURVES[curve.lower()]
    raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC"]')


def _parse_summation(method: str) -> str:
    if method in _SUMMATIONS:
        return method.lower()
    raise ValueError(f'Invalid AUC summation method value: "{method}". '
                     'Expected values are ["interpolation", "majoring", "minoring"]')
