"""Cross-entropies, focal cross-entropies, KL divergence and Poisson, as Keras computes them.

Probabilities are clipped to [1e-7, 1 - 1e-7] before the log, as in Keras. When `y_pred` came
from lamina's softmax or sigmoid it carries the pre-activation tensor (`_keras_logits`, with
`_keras_logits_kind` 'softmax' or 'sigmoid' and, for softmax, `_keras_logits_axis`); the
cross-entropies then work from those logits with the log clamped to the same bounds, which
gives Keras' values (and its zero gradient where clipped) without the round trip through
probabilities that underflow.

Example:
    >>> import torch
    >>> probs = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    >>> sparse_categorical_crossentropy(torch.tensor([0, 2]), probs)
    tensor([0.3567, 0.2231])
"""
from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.losses.base import matched_targets, prediction_tensor, target_tensor

__all__ = [
    "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "kl_divergence", "poisson",
    "categorical_generalized_cross_entropy",
]

_EPSILON = backend.epsilon()
_LOG_EPSILON = math.log(_EPSILON)
_LOG_ONE_MINUS_EPSILON = math.log1p(-_EPSILON)


def _prepare(y_true, y_pred, same_shape: bool = False):
    y_pred = prediction_tensor(y_pred)
    y_true = target_tensor(y_true, y_pred, y_pred.dtype)
    return matched_targets(y_true, y_pred, same_shape)


def _check_axis(axis) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r} of type "
                         f"{type(axis).__name__}")


def _is_last_axis(axis: int, rank: int) -> bool:
    return axis == -1 or axis == rank - 1


def _attached_logits(y_pred: torch.Tensor, kind: str, axis: int = -1):
    """The logits behind `y_pred` if lamina's `kind` activation made it along `axis`, else None."""
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is None or getattr(y_pred, "_keras_logits_kind", None) != kind:
        return None
    if logits.shape != y_pred.shape:
        return None
    if kind == "softmax":
        rank = y_pred.dim()
        if not (_is_last_axis(axis, rank)
                and _is_last_axis(getattr(y_pred, "_keras_logits_axis", -1), rank)):
            return None
    return logits if logits.dtype == y_pred.dtype else logits.to(y_pred.dtype)


def _clamped_log(log_values: torch.Tensor) -> torch.Tensor:
    """log(clip(p, eps, 1 - eps)) computed from log(p)."""
    return log_values.clamp(_LOG_EPSILON, _LOG_ONE_MINUS_EPSILON)


def _categorical_log_probs(y_pred: torch.Tensor, from_logits: bool, axis: int) -> torch.Tensor:
    """Per-class log-probabilities along `axis`, clipped as Keras clips probabilities."""
    if from_logits:
        return F.log_softmax(y_pred, dim=axis)
    logits = _attached_logits(y_pred, "softmax", axis)
    if logits is not None:
        return _clamped_log(F.log_softmax(logits, dim=-1))
    probs = y_pred / y_pred.sum(dim=axis, keepdim=True)
    return torch.log(probs.clamp(_EPSILON, 1.0 - _EPSILON))


def _binary_log_probs(y_pred: torch.Tensor, from_logits: bool):
    """(log p, log(1 - p)) of the positive class, clipped as Keras clips, or None for raw logits."""
    logits = y_pred if from_logits else _attached_logits(y_pred, "sigmoid")
    if logits is not None:
        return _clamped_log(F.logsigmoid(logits)), _clamped_log(F.logsigmoid(-logits))
    probs = y_pred.clamp(_EPSILON, 1.0 - _EPSILON)
    return torch.log(probs), torch.log1p(-probs)


def _smooth_categorical(y_true: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


def _smooth_binary(y_true: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


def _warn_single_column(y_pred, loss_name: str) -> None:
    if y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {loss_name}, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
                      f"Consider using 'binary_crossentropy' if you only have 2 classes.",
                      SyntaxWarning, stacklevel=3)


def _class_axis_second(x: torch.Tensor) -> torch.Tensor:
    """(N, ..., C) -> (N, C, ...), the layout torch's cross-entropy kernels take.

    Contiguous, because the backward of torch's 2-D NLL kernel rejects a strided input
    ("grad_input must be contiguous"), which a per-pixel softmax segmentation head gives it.
    """
    return x if x.dim() <= 2 else x.movedim(-1, 1).contiguous()


def _sparse_losses(labels: torch.Tensor, y_pred: torch.Tensor, from_logits: bool):
    """-log p[label] per entry, classes on the last axis; one fused kernel on the logits paths."""
    logits = y_pred if from_logits else _attached_logits(y_pred, "softmax")
    if logits is not None:
        losses = F.cross_entropy(_class_axis_second(logits), labels, reduction="none")
        # Only the label's log-probability enters, so clamping the loss equals Keras' clip.
        return losses if from_logits else losses.clamp(-_LOG_ONE_MINUS_EPSILON, -_LOG_EPSILON)
    log_probs = _categorical_log_probs(y_pred, False, -1)
    return F.nll_loss(_class_axis_second(log_probs), labels, reduction="none")


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1):
    """Cross-entropy between integer labels and per-class probabilities (or logits).

    Args:
        y_true: integer class labels of shape `(N,)` or `(N, 1)` (floats holding integers work).
        y_pred: probabilities (or logits) of shape `(N, C)`.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label whose entries cost 0 and are masked out of the mean.
        axis: the class axis.

    Returns:
        Per-sample losses of shape `(N,)`.

    Example:
        >>> sparse_categorical_crossentropy([0, 2], [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
        tensor([0.3567, 0.2231])
    """
    _check_axis(axis)
    y_pred = prediction_tensor(y_pred)
    labels = target_tensor(y_true, y_pred)
    if labels.dim() == y_pred.dim() and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    if labels.dtype != torch.int64:
        labels = labels.long()
    if not _is_last_axis(axis, y_pred.dim()):
        y_pred = y_pred.movedim(axis, -1)
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(f"Arguments `target` and `output` must have the same shape up until the "
                         f"last dimension: target.shape={tuple(labels.shape)}, "
                         f"output.shape={tuple(y_pred.shape)}")
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = torch.where(valid, labels, 0)
    losses = _sparse_losses(labels, y_pred, from_logits)
    if valid is not None:
        losses = torch.where(valid, losses, 0.0)
        losses._keras_mask = valid
    return losses


# Tells `Loss.__call__` to pass labels through uncast, so they stay integers.
sparse_categorical_crossentropy._integer_labels = True


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1):
    """Cross-entropy between one-hot labels and per-class probabilities (or logits).

    Args:
        y_true: one-hot labels of shape `(N, C)`.
        y_pred: probabilities (or logits) of shape `(N, C)`.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / C`.
        axis: the class axis.

    Returns:
        Per-sample losses of shape `(N,)`.

    Example:
        >>> categorical_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        tensor([0.0513, 2.3026])
    """
    _check_axis(axis)
    y_true, y_pred = _prepare(y_true, y_pred, same_shape=True)
    _warn_single_column(y_pred, "categorical_crossentropy")
    y_true = _smooth_categorical(y_true, label_smoothing)
    return -(y_true * _categorical_log_probs(y_pred, from_logits, axis)).sum(dim=axis)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1):
    """Binary cross-entropy, averaged over `axis`.

    Args:
        y_true: labels in [0, 1], shaped like `y_pred` (`(N,)` against `(N, 1)` is matched).
        y_pred: probabilities (or logits).
        from_logits: whether `y_pred` holds logits.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / 2`.
        axis: the axis averaged over.

    Returns:
        Losses with `axis` reduced, e.g. `(N,)`.

    Example:
        >>> binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        tensor([0.9163, 0.7136])
    """
    _check_axis(axis)
    y_true, y_pred = _prepare(y_true, y_pred, same_shape=True)
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        losses = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        log_p, log_not_p = _binary_log_probs(y_pred, from_logits=False)
        losses = -(y_true * log_p + (1.0 - y_true) * log_not_p)
    return losses.mean(dim=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                              label_smoothing: float = 0.0, axis: int = -1):
    """Binary cross-entropy scaled by the focal factor `(1 - p_t) ** gamma`, averaged over `axis`.

    Args:
        y_true: labels in [0, 1].
        y_pred: probabilities (or logits).
        apply_class_balancing: weight class 1 by `alpha` and class 0 by `1 - alpha`.
        alpha: the class-1 weight when balancing.
        gamma: the focusing exponent (0 gives binary cross-entropy).
        from_logits: whether `y_pred` holds logits.
        label_smoothing: as `binary_crossentropy`.
        axis: the axis averaged over.

    Returns:
        Losses with `axis` reduced.

    Example:
        >>> binary_focal_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], gamma=2.0)
        tensor([0.3299, 0.2058])
    """
    _check_axis(axis)
    y_true, y_pred = _prepare(y_true, y_pred, same_shape=True)
    y_true = _smooth_binary(y_true, label_smoothing)
    log_p, log_not_p = _binary_log_probs(y_pred, from_logits)
    probs = torch.sigmoid(y_pred) if from_logits else y_pred
    bce = -(y_true * log_p + (1.0 - y_true) * log_not_p)
    p_t = y_true * probs + (1.0 - y_true) * (1.0 - probs)
    focal = (1.0 - p_t).pow(gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return focal.mean(dim=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0,
                                   axis: int = -1):
    """Categorical cross-entropy scaled by `alpha * (1 - p) ** gamma` per class.

    Args:
        y_true: one-hot labels of shape `(N, C)`.
        y_pred: probabilities (or logits) of shape `(N, C)`.
        alpha: a float or a list of C per-class weights.
        gamma: the focusing exponent.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: as `categorical_crossentropy`.
        axis: the class axis.

    Returns:
        Per-sample losses of shape `(N,)`.

    Example:
        >>> categorical_focal_crossentropy([[0, 1, 0]], [[0.05, 0.9, 0.05]])
        tensor([0.0003])
    """
    _check_axis(axis)
    y_true, y_pred = _prepare(y_true, y_pred, same_shape=True)
    _warn_single_column(y_pred, "categorical_focal_crossentropy")
    y_true = _smooth_categorical(y_true, label_smoothing)
    log_probs = _categorical_log_probs(y_pred, from_logits, axis)
    if isinstance(alpha, (list, tuple)):
        alpha = torch.as_tensor(alpha, dtype=y_pred.dtype, device=y_pred.device)
    focal = alpha * (1.0 - log_probs.exp()).pow(gamma) * (-y_true * log_probs)
    return focal.sum(dim=axis)


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))` over the last axis.

    Both arguments are clipped to [1e-7, 1] first.

    Example:
        >>> kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])
        tensor([0.1438])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = y_true.clamp(_EPSILON, 1.0)
    y_pred = y_pred.clamp(_EPSILON, 1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(dim=-1)


def poisson(y_true, y_pred):
    """Poisson loss `mean(y_pred - y_true * log(y_pred + 1e-7))` over the last axis.

    Example:
        >>> poisson([[1.0, 0.0]], [[1.0, 2.0]])
        tensor([1.5000])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + _EPSILON)).mean(dim=-1)


def categorical_generalized_cross_entropy(y_true, y_pred, q) -> torch.Tensor:
    """Generalized cross-entropy (Zhang & Sabuncu, 2018), `(1 - p**q) / q` with `p` the
    probability of the true class: cross-entropy as q -> 0, MAE-like (noise-robust) as q -> 1.

    Args:
        y_true: Integer class indices `(N,)` or `(N, 1)`.
        y_pred: Class probabilities `(N, C)`.
        q: The noise parameter, in (0, 1).

    Returns:
        The loss per sample, `(N,)`.

    Example:
        >>> categorical_generalized_cross_entropy(torch.tensor([1]), torch.tensor([[0.75, 0.25]]),
        ...                                       q=0.5)
        tensor([1.])
    """
    y_pred = prediction_tensor(y_pred)
    y_true = target_tensor(y_true, y_pred).to(torch.int64)
    one_hot = F.one_hot(y_true, num_classes=y_pred.shape[-1]).to(y_pred.dtype)
    if one_hot.ndim > y_pred.ndim:  # (N, 1) labels
        one_hot = one_hot.squeeze(-2)
    p = torch.sum(y_pred * one_hot, dim=-1)
    return (1 - torch.pow(p, q)) / q


categorical_generalized_cross_entropy._integer_labels = True
