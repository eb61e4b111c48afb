"""Regression metrics: mean squared / absolute / percentage / log errors and RMSE.

Each is the running mean of one error per sample (the error averaged over the last
axis). Labels `(N,)` against predictions `(N, 1)` are aligned, never broadcast to
`(N, N)`; rank-1 labels against rank-1 predictions give one error per sample.

Example:
    >>> m = MeanSquaredError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> float(m.result())
    0.25
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.metrics.base import Mean, MeanMetricWrapper, squeeze_or_expand_to_same_rank

__all__ = [
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError", "CosineSimilarity", "LogCoshError",
    "cosine_similarity",
]


def _aligned(y_true: torch.Tensor, y_pred: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(backend.torch_dtype(backend.floatx()))
    return squeeze_or_expand_to_same_rank(y_true.to(y_pred.dtype), y_pred)


def _per_sample(errors: torch.Tensor) -> torch.Tensor:
    return errors.mean(dim=-1) if errors.dim() > 1 else errors


def _squared_error(y_true, y_pred) -> torch.Tensor:
    y_true, y_pred = _aligned(y_true, y_pred)
    return _per_sample((y_true - y_pred).square())


def _absolute_error(y_true, y_pred) -> torch.Tensor:
    y_true, y_pred = _aligned(y_true, y_pred)
    return _per_sample((y_true - y_pred).abs())


def _absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    y_true, y_pred = _aligned(y_true, y_pred)
    # Keras divides by max(|y_true|, epsilon) so that zero labels give a large, finite error.
    ratio = (y_true - y_pred) / y_true.abs().clamp_min(backend.epsilon())
    return 100.0 * _per_sample(ratio.abs())


def _squared_log_error(y_true, y_pred) -> torch.Tensor:
    y_true, y_pred = _aligned(y_true, y_pred)
    eps = backend.epsilon()
    log_pred = torch.log(y_pred.clamp_min(eps) + 1.0)
    log_true = torch.log(y_true.clamp_min(eps) + 1.0)
    return _per_sample((log_pred - log_true).square())


def _l2_normalize(x: torch.Tensor, axis: int) -> torch.Tensor:
    # Keras' ops.normalize: x / max(||x||, 1e-7), so zero vectors stay zero.
    inverse_norm = torch.rsqrt(x.square().sum(dim=axis, keepdim=True)).clamp_max(1.0 / backend.epsilon())
    return x * inverse_norm


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """The cosine of the angle between labels and predictions along `axis` (1 = same direction).

    Unlike the loss of that name, the value is not negated.

    Example:
        >>> values = cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]])
        >>> [round(v, 4) for v in values.tolist()]
        [0.7071, 1.0]
    """
    y_pred = backend.to_tensor(y_pred) if not isinstance(y_pred, torch.Tensor) else y_pred
    y_true = backend.to_tensor(y_true, device=y_pred.device) \
        if not isinstance(y_true, torch.Tensor) else y_true
    y_true, y_pred = _aligned(y_true, y_pred)
    return (_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(dim=axis)


def _log_cosh(y_true, y_pred) -> torch.Tensor:
    from lamina import losses

    return losses.log_cosh(y_true, y_pred)


class _ErrorMean(MeanMetricWrapper):
    """A mean of a fixed per-sample error; its config is only name and dtype."""

    def get_config(self) -> dict:
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_ErrorMean):
    """The mean of `(y_true - y_pred) ** 2`.

    Args:
        name: Defaults to 'mean_squared_error'.
        dtype: Defaults to floatx.

    Example:
        >>> float(MeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]]))
        0.25
    """

    def __init__(self, name: str = "mean_squared_error", dtype=None):
        super().__init__(_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_ErrorMean):
    """The mean of `|y_true - y_pred|`.

    Args:
        name: Defaults to 'mean_absolute_error'.
        dtype: Defaults to floatx.

    Example:
        >>> float(MeanAbsoluteError()([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0]))
        0.5
    """

    def __init__(self, name: str = "mean_absolute_error", dtype=None):
        super().__init__(_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_ErrorMean):
    """The mean of `100 * |(y_true - y_pred) / y_true|` (denominator at least 1e-7).

    Args:
        name: Defaults to 'mean_absolute_percentage_error'.
        dtype: Defaults to floatx.

    Example:
        >>> float(MeanAbsolutePercentageError()([[2.0], [4.0]], [[1.0], [4.0]]))
        25.0
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype=None):
        super().__init__(_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_ErrorMean):
    """The mean of `(log(y_pred + 1) - log(y_true + 1)) ** 2` (values clipped at 1e-7).

    Args:
        name: Defaults to 'mean_squared_logarithmic_error'.
        dtype: Defaults to floatx.

    Example:
        >>> round(float(MeanSquaredLogarithmicError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])), 6)
        0.120113
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype=None):
        super().__init__(_squared_log_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the mean of `(y_true - y_pred) ** 2` over all samples seen.

    Args:
        name: Defaults to 'root_mean_squared_error'.
        dtype: Defaults to floatx.

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Adds the squared errors of one batch to the running mean."""
        self._follow_device(y_pred, y_true, sample_weight)
        y_true = self._to_tensor(y_true, self._torch_dtype)
        y_pred = self._to_tensor(y_pred, self._torch_dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state((y_pred - y_true).square(), sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        """`sqrt(total / count)`."""
        return super().result().sqrt()


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions along `axis`.

    Args:
        name: Defaults to 'cosine_similarity'.
        dtype: Defaults to floatx.
        axis: The axis along which vectors are compared. Defaults to -1.

    Example:
        >>> round(float(CosineSimilarity()([[0, 1], [1, 1]], [[1, 0], [1, 1]])), 4)
        0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        """Name and dtype as Keras writes them; `axis` too when it is not -1 (so it round-trips)."""
        config = {"name": self.name, "dtype": self.dtype}
        if self.axis != -1:
            config["axis"] = self.axis
        return config


class LogCoshError(_ErrorMean):
    """The mean of `log(cosh(y_pred - y_true))` over the last axis.

    Args:
        name: Defaults to 'logcosh' (Keras' name).
        dtype: Defaults to floatx.

    Example:
        >>> round(float(LogCoshError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])), 4)
        0.1084
    """

    def __init__(self, name: str = "logcosh", dtype=None):
        super().__init__(_log_cosh, name=name, dtype=dtype)
