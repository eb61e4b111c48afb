"""R2Score: the coefficient of determination, per output column, from running sums.

Example:
    >>> m = R2Score()
    >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
    >>> round(float(m.result()), 4)
    0.5714
"""
from __future__ import annotations

import warnings

import torch

from lamina.losses.base import check_sample_weight_shape
from lamina.metrics.base import Metric, squeeze_or_expand_to_same_rank

__all__ = ["R2Score"]

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """`1 - SS_res / SS_tot` per output column, then averaged (Keras' R2Score).

    Inputs are `(batch, outputs)`. The sums behind the score accumulate over batches,
    so the result equals the score of all samples seen at once.

    Args:
        class_aggregation: How the per-column scores are combined: 'uniform_average'
            (default, their mean), 'variance_weighted_average' (weighted by each
            column's total sum of squares) or None (one score per column).
        num_regressors: Number of independent regressors, for the adjusted R2 score
            (0, the default, gives the plain score).
        name: Defaults to 'r2_score'.
        dtype: Defaults to floatx.

    Example:
        >>> m = R2Score(class_aggregation=None)
        >>> m.update_state([[1.0, 0.0], [3.0, 2.0]], [[1.0, 0.5], [2.0, 2.0]])
        >>> [round(v, 4) for v in m.result().tolist()]
        [0.5, 0.875]
    """

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{_AGGREGATIONS}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                             f"y_true.shape={tuple(y_true_shape)}. Reshape 1-D targets with "
                             "y.reshape(-1, 1).")
        columns = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(columns, name="squared_sum")
        self.sum = self.add_variable(columns, name="sum")
        self.total_mse = self.add_variable(columns, name="residual")
        self.count = self.add_variable(columns, name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds one batch to the per-column sums."""
        self._follow_device(y_pred, y_true, sample_weight)
        y_true = self._to_tensor(y_true, self._torch_dtype)
        y_pred = self._to_tensor(y_pred, self._torch_dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if sample_weight is None:
            weights = torch.ones_like(y_true)
        else:
            weights = self._to_tensor(sample_weight, self._torch_dtype)
            if weights.dim() == 1:
                weights = weights.unsqueeze(1)
            check_sample_weight_shape(weights, y_true.shape)
            weights = weights.broadcast_to(y_true.shape)
        weighted_true = y_true * weights
        self.sum.add_(weighted_true.sum(dim=0))
        self.squared_sum.add_((y_true * weighted_true).sum(dim=0))
        self.total_mse.add_(((y_true - y_pred).square() * weights).sum(dim=0))
        self.count.add_(weights.sum(dim=0))
        # Keras counts elements here, not rows; the adjusted score uses this count.
        self.num_samples.add_(y_true.numel())

    def result(self) -> torch.Tensor:
        """The aggregated score (0 before any update)."""
        if not self._built:
            return torch.zeros((), dtype=self._torch_dtype, device=self._device)
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw_scores = 1 - self.total_mse / total
        raw_scores = torch.where(torch.isinf(raw_scores), torch.zeros_like(raw_scores), raw_scores)
        if self.class_aggregation == "uniform_average":
            score = raw_scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw_scores).sum() / total.sum()
        else:
            score = raw_scores
        if self.num_regressors:
            score = self._adjusted(score)
        return score

    def _adjusted(self, score: torch.Tensor) -> torch.Tensor:
        # One host read, only when an adjusted score is asked for (never in update_state).
        samples = float(self.num_samples)
        if self.num_regressors > samples - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 score. "
                          "Falling back to standard R2 score.", stacklevel=3)
            return score
        if self.num_regressors == samples - 1:
            warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 "
                          "score.", stacklevel=3)
            return score
        return 1.0 - (1.0 - score) * (samples - 1.0) / (samples - self.num_regressors - 1.0)

    def get_config(self) -> dict:
        """Name, dtype, class_aggregation and num_regressors."""
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
