"""Regression and hinge losses, each averaged over the last axis as Keras does.

Example:
    >>> import torch
    >>> mean_squared_error(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([0.5000])
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.losses.base import matched_targets, prediction_tensor, target_tensor

__all__ = [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity",
    "hinge", "squared_hinge", "categorical_hinge",
]

_EPSILON = backend.epsilon()
_LOG_2 = math.log(2.0)


def _prepare(y_true, y_pred):
    y_pred = prediction_tensor(y_pred)
    y_true = target_tensor(y_true, y_pred, y_pred.dtype)
    return matched_targets(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred))` over the last axis.

    Example:
        >>> mean_squared_error([[0.0, 2.0]], [[1.0, 1.0]])
        tensor([1.])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_true - y_pred).square().mean(dim=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred))` over the last axis.

    Example:
        >>> mean_absolute_error([[0.0, 2.0]], [[1.0, 1.0]])
        tensor([1.])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_true - y_pred).abs().mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), 1e-7)))` over the last axis.

    Example:
        >>> mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]])
        tensor([25.])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return 100.0 * ((y_true - y_pred) / y_true.abs().clamp_min(_EPSILON)).abs().mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(y_pred + 1) - log(y_true + 1)))`, values below 1e-7 raised to 1e-7.

    Example:
        >>> mean_squared_logarithmic_error([[0.0]], [[math.e - 1]])
        tensor([1.0000])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    first = torch.log1p(y_pred.clamp_min(_EPSILON))
    second = torch.log1p(y_true.clamp_min(_EPSILON))
    return (first - second).square().mean(dim=-1)


def huber(y_true, y_pred, delta: float = 1.0):
    """Huber loss: `0.5 * x**2` where `|x| <= delta`, else `delta * |x| - 0.5 * delta**2`.

    Args:
        y_true: targets.
        y_pred: predictions.
        delta: where the loss turns from quadratic to linear.

    Returns:
        The mean over the last axis.

    Example:
        >>> huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        tensor([0.1800, 0.1300])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    abs_error = error.abs()
    quadratic = 0.5 * error.square()
    linear = delta * abs_error - 0.5 * delta * delta
    return torch.where(abs_error <= delta, quadratic, linear).mean(dim=-1)


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)))` over the last axis, computed without overflow.

    Example:
        >>> log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        tensor([0.2169, 0.0000])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    return (error + F.softplus(-2.0 * error) - _LOG_2).mean(dim=-1)


def _l2_normalize(x: torch.Tensor, axis: int) -> torch.Tensor:
    # rsqrt(max(s, eps**2)) equals Keras' min(rsqrt(s), 1/eps) but has a finite gradient at 0.
    return x * torch.rsqrt(x.square().sum(dim=axis, keepdim=True).clamp_min(_EPSILON ** 2))


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """Negative cosine similarity along `axis`: -1 for equal directions, 0 when orthogonal.

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: the axis the vectors lie along.

    Returns:
        `-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`.

    Example:
        >>> cosine_similarity([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]])
        tensor([-0.0000, -1.0000])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return -(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis)).sum(dim=axis)


def _hinge_labels(y_true: torch.Tensor) -> torch.Tensor:
    """Maps labels in {0, 1} to {-1, 1}; other labels are left as they are (no host sync)."""
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0))` over the last axis; labels 0/1 become -1/1.

    Example:
        >>> hinge([[1.0, -1.0]], [[0.5, 0.5]])
        tensor([1.])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return (1.0 - _hinge_labels(y_true) * y_pred).clamp_min(0.0).mean(dim=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)))` over the last axis; 0/1 become -1/1.

    Example:
        >>> squared_hinge([[1.0, -1.0]], [[0.5, 0.5]])
        tensor([1.2500])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return (1.0 - _hinge_labels(y_true) * y_pred).clamp_min(0.0).square().mean(dim=-1)


def categorical_hinge(y_true, y_pred):
    """Categorical hinge `maximum(neg - pos + 1, 0)` for one-hot labels.

    `pos = sum(y_true * y_pred)` and `neg = max((1 - y_true) * y_pred)` over the last axis.

    Example:
        >>> categorical_hinge([[0.0, 1.0]], [[0.3, 0.6]])
        tensor([0.7000])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    positive = (y_true * y_pred).sum(dim=-1)
    negative = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return (negative - positive + 1.0).clamp_min(0.0)
