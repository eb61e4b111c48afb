"""F-scores: FBetaScore and F1Score, per class or averaged, from running counts.

Example:
    >>> m = F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(v, 4) for v in m.result().tolist()]
    [0.5, 0.8, 0.6667]
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.losses.base import check_sample_weight_shape
from lamina.metrics.base import Metric

__all__ = ["FBetaScore", "F1Score"]

_AVERAGES = (None, "micro", "macro", "weighted")
_CELLS = ("true_positives", "false_positives", "false_negatives", "intermediate_weights")


class FBetaScore(Metric):
    """The F-beta score `(1 + b²) * precision * recall / (b² * precision + recall)`.

    Inputs are `(batch, classes)`: one-hot or multi-hot labels and scores. Works for
    multi-class and multi-label problems.

    Args:
        average: None (default: one score per class), 'micro' (global counts),
            'macro' (mean of class scores) or 'weighted' (class scores weighted by
            their number of true labels).
        beta: Weight of recall against precision, > 0. Defaults to 1.0.
        threshold: Scores above it count as predicted; None (default) predicts the
            highest score of each sample only.
        name: Defaults to 'fbeta_score'.
        dtype: Defaults to floatx.

    Example:
        >>> m = FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(v, 4) for v in m.result().tolist()]
        [0.3846, 0.9091, 0.8333]
    """

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', "
                             f"'macro', 'weighted'}}. Received: average={average}")
        if isinstance(beta, bool) or not isinstance(beta, (int, float)):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. "
                                 f"Received: threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
            threshold = float(threshold)
        self.average = average
        self.beta = float(beta)
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape="
                             f"{tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}. "
                             "For one binary output, pass one-hot labels or reshape to (N, 1).")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for cell in _CELLS:
            setattr(self, cell, self.add_variable(shape, name=cell))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds one batch's true positives, false positives, false negatives and supports."""
        self._follow_device(y_pred, y_true, sample_weight)
        y_true = self._to_tensor(y_true, self._torch_dtype)
        y_pred = self._to_tensor(y_pred, self._torch_dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = y_pred.amax(dim=-1, keepdim=True)
            predicted = (y_pred >= top) & (y_pred.abs() > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.to(self._torch_dtype)
        if sample_weight is not None:
            sample_weight = self._to_tensor(sample_weight, self._torch_dtype)
            sample_weight = sample_weight.reshape(-1, 1) if sample_weight.dim() else sample_weight
            check_sample_weight_shape(sample_weight, y_true.shape)
        self.true_positives.add_(self._weighted_sum(predicted * y_true, sample_weight))
        self.false_positives.add_(self._weighted_sum(predicted * (1 - y_true), sample_weight))
        self.false_negatives.add_(self._weighted_sum((1 - predicted) * y_true, sample_weight))
        self.intermediate_weights.add_(self._weighted_sum(y_true, sample_weight))

    def _weighted_sum(self, values: torch.Tensor, sample_weight) -> torch.Tensor:
        if sample_weight is not None:
            values = values * sample_weight
        return values.sum() if self.axis is None else values.sum(dim=self.axis)

    def result(self) -> torch.Tensor:
        """The score: one per class with `average=None`, else a scalar."""
        if not self._built:
            return torch.zeros((), dtype=self._torch_dtype, device=self._device)
        eps = backend.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        beta_squared = self.beta ** 2
        score = (1 + beta_squared) * precision * recall / (beta_squared * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights / (self.intermediate_weights.sum() + eps)
            return (score * weights).sum()
        if self.average is not None:
            return score.mean()
        return score

    def get_config(self) -> dict:
        """Name, dtype, average, beta and threshold."""
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score `2 * precision * recall / (precision + recall)`: FBetaScore with beta 1.

    Args:
        average: None (default: one score per class), 'micro', 'macro' or 'weighted'.
        threshold: Scores above it count as predicted; None (default) predicts the
            highest score of each sample only.
        name: Defaults to 'f1_score'.
        dtype: Defaults to floatx.

    Example:
        >>> m = F1Score(average="micro", threshold=0.5)
        >>> m.update_state([[1, 0], [0, 1]], [[0.9, 0.2], [0.6, 0.7]])
        >>> round(float(m.result()), 4)
        0.8
    """

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Name, dtype, average and threshold."""
        config = super().get_config()
        del config["beta"]
        return config
