"""One rate at a constraint on another: SensitivityAtSpecificity, SpecificityAtSensitivity,
PrecisionAtRecall and RecallAtPrecision.

Counts are kept at `num_thresholds` evenly spaced thresholds over [0, 1]; the result is
the best value of one rate over the thresholds where the other meets the constraint.

Example:
    >>> m = PrecisionAtRecall(0.5, num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> float(m.result())
    0.5
"""
from __future__ import annotations

import torch

from lamina.metrics.base import divide_no_nan
from lamina.metrics.confusion import _ThresholdMetric

__all__ = ["SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall",
           "RecallAtPrecision"]

_CELLS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


class _RateAtRate(_ThresholdMetric):
    """Confusion counts at fixed thresholds; `result` maximises one rate under a constraint."""

    _constraint = "specificity"

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._constraint}` must be in the range [0, 1]. "
                             f"Received: {self._constraint}={value}")
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            thresholds = [0.5]
        else:
            thresholds = [i / (num_thresholds - 1) for i in range(num_thresholds)]
        self._init_thresholds(thresholds)
        for cell in _CELLS:
            setattr(self, cell, self.add_variable((len(thresholds),), name=cell))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds one batch to the four confusion counts at every threshold."""
        counts = self._counts(y_true, y_pred, sample_weight, class_id=self.class_id)
        self.true_positives.add_(counts["tp"])
        self.false_positives.add_(counts["fp"])
        self.true_negatives.add_(counts["tn"])
        self.false_negatives.add_(counts["fn"])

    def _rates(self) -> dict[str, torch.Tensor]:
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        return {"sensitivity": divide_no_nan(tp, tp + fn), "recall": divide_no_nan(tp, tp + fn),
                "specificity": divide_no_nan(tn, tn + fp), "precision": divide_no_nan(tp, tp + fp)}

    def _best(self, constrained: str, dependent: str) -> torch.Tensor:
        """max(dependent where constrained >= value), 0 when no threshold qualifies."""
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        values = torch.where(feasible, rates[dependent], torch.zeros_like(rates[dependent]))
        return values.max().clamp_min(0.0)

    def get_config(self) -> dict:
        """Name, dtype, class_id, num_thresholds and the constraint value (Keras' order)."""
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._constraint: self.value}


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) among thresholds whose specificity is >= `specificity`.

    Args:
        specificity: The required specificity, in [0, 1].
        num_thresholds: Number of thresholds over [0, 1]. Defaults to 200.
        class_id: Compute the metric for this class only (last axis of predictions).
        name: Defaults to 'sensitivity_at_specificity' (made unique).
        dtype: Defaults to floatx.

    Example:
        >>> m = SensitivityAtSpecificity(0.5, num_thresholds=3)
        >>> float(m([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]))
        0.5
    """

    _constraint = "specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.specificity = specificity

    def result(self) -> torch.Tensor:
        """The best sensitivity under the specificity constraint."""
        return self._best("specificity", "sensitivity")


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity among thresholds whose sensitivity is >= `sensitivity`.

    Args:
        sensitivity: The required sensitivity, in [0, 1].
        num_thresholds: Number of thresholds over [0, 1]. Defaults to 200.
        class_id: Compute the metric for this class only (last axis of predictions).
        name: Defaults to 'specificity_at_sensitivity' (made unique).
        dtype: Defaults to floatx.

    Example:
        >>> m = SpecificityAtSensitivity(0.5, num_thresholds=3)
        >>> float(m([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]))
        0.5
    """

    _constraint = "sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
        self.sensitivity = sensitivity

    def result(self) -> torch.Tensor:
        """The best specificity under the sensitivity constraint."""
        return self._best("sensitivity", "specificity")


class PrecisionAtRecall(_RateAtRate):
    """The best precision among thresholds whose recall is >= `recall`.

    Args:
        recall: The required recall, in [0, 1].
        num_thresholds: Number of thresholds over [0, 1]. Defaults to 200.
        class_id: Compute the metric for this class only (last axis of predictions).
        name: Defaults to 'precision_at_recall' (made unique).
        dtype: Defaults to floatx.

    Example:
        >>> m = PrecisionAtRecall(0.5, num_thresholds=3)
        >>> float(m([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]))
        0.5
    """

    _constraint = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype=None):
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name,
                         dtype=dtype)
        self.recall = recall

    def result(self) -> torch.Tensor:
        """The best precision under the recall constraint."""
        return self._best("recall", "precision")


class RecallAtPrecision(_RateAtRate):
    """The best recall among thresholds whose precision is >= `precision`.

    Args:
        precision: The required precision, in [0, 1].
        num_thresholds: Number of thresholds over [0, 1]. Defaults to 200.
        class_id: Compute the metric for this class only (last axis of predictions).
        name: Defaults to 'recall_at_precision' (made unique).
        dtype: Defaults to floatx.

    Example:
        >>> m = RecallAtPrecision(0.5, num_thresholds=3)
        >>> float(m([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]))
        1.0
    """

    _constraint = "precision"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype=None):
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name,
                         dtype=dtype)
        self.precision = precision

    def result(self) -> torch.Tensor:
        """The best recall under the precision constraint."""
        return self._best("precision", "recall")
