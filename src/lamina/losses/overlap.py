"""Overlap losses for segmentation: Dice and Tversky, `1 - overlap / size`.

Both sum over `axis` (None: every entry, giving one value for the batch; `(1, 2, 3)` for
masks `(N, H, W, C)`: one value per image), with `keras.backend.epsilon()` in the
denominator, as Keras 3 writes them.

Example:
    >>> float(dice([[1.0, 0.0]], [[1.0, 0.0]]))
    0.0
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.losses.base import prediction_tensor, target_tensor

__all__ = ["dice", "tversky"]


def _sum(x: torch.Tensor, axis) -> torch.Tensor:
    if axis is None:
        return x.sum()
    return x.sum(dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis)


def _prepare(y_true, y_pred):
    y_pred = prediction_tensor(y_pred)
    return target_tensor(y_true, y_pred, y_pred.dtype), y_pred


def dice(y_true, y_pred, axis=None):
    """`1 - 2*sum(y_true*y_pred) / (sum(y_true) + sum(y_pred) + epsilon)` over `axis`.

    Args:
        y_true: targets (0/1 masks or soft values).
        y_pred: predictions, same shape.
        axis: the axis or tuple of axes summed over; None sums everything.

    Returns:
        The loss: 0-dim for `axis=None`, else the shape left after summing.

    Example:
        >>> y_true = [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]]
        >>> y_pred = [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]]
        >>> dice(y_true, y_pred, axis=(1, 2, 3))
        tensor([0.5000, 0.7576])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    overlap = 2.0 * intersection / (_sum(y_true, axis) + _sum(y_pred, axis) + backend.epsilon())
    return 1 - overlap


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """`1 - TP / (TP + alpha*A + beta*B + epsilon)`, Keras' weighting of the two errors.

    With `TP = sum(y_true*y_pred)`, Keras 3 weights `A = sum((1 - y_pred)*y_true)` (missed
    targets) by `alpha` and `B = sum(y_pred*(1 - y_true))` (spurious predictions) by `beta`;
    `alpha = beta = 0.5` gives the Dice loss.

    Args:
        y_true: targets.
        y_pred: predictions, same shape.
        alpha: weight of `A`. Defaults to 0.5.
        beta: weight of `B`. Defaults to 0.5.
        axis: the axis or tuple of axes summed over; None sums everything.

    Returns:
        The loss: 0-dim for `axis=None`, else the shape left after summing.

    Example:
        >>> tversky([[1.0, 1.0, 0.0]], [[1.0, 0.0, 1.0]], alpha=0.7, beta=0.3)
        tensor(0.5000)
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    missed = _sum((1 - y_pred) * y_true, axis)
    spurious = _sum(y_pred * (1 - y_true), axis)
    return 1 - intersection / (intersection + missed * alpha + spurious * beta
                               + backend.epsilon())
