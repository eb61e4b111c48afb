"""Keras' `ops.math` names: `logsumexp`, `erf`, `erfinv`, `rsqrt`, `top_k`, `in_top_k`.

Example:
    >>> from lamina import ops
    >>> ops.top_k(torch.tensor([1.0, 3.0, 2.0]), k=2)
    (tensor([3., 2.]), tensor([1, 2], dtype=torch.int32))
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.ops.core import normalize_axis, tensor

__all__ = ["logsumexp", "erf", "erfinv", "rsqrt", "top_k", "in_top_k"]


def _float(x) -> torch.Tensor:
    x = tensor(x)
    return x if x.is_floating_point() else x.to(backend.standardize_dtype(backend.floatx()))


def logsumexp(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """`log(sum(exp(x)))` over `axis`, computed without overflow.

    Example:
        >>> logsumexp(torch.tensor([0.0, 0.0]))
        tensor(0.6931)
    """
    x = _float(x)
    return torch.logsumexp(x, dim=normalize_axis(axis, x.ndim), keepdim=keepdims)


def erf(x) -> torch.Tensor:
    """The Gauss error function.

    Example:
        >>> erf(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.erf(_float(x))


def erfinv(x) -> torch.Tensor:
    """The inverse of `erf`.

    Example:
        >>> erfinv(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.erfinv(_float(x))


def rsqrt(x) -> torch.Tensor:
    """`1 / sqrt(x)`.

    Example:
        >>> rsqrt(torch.tensor([4.0]))
        tensor([0.5000])
    """
    return torch.rsqrt(_float(x))


def top_k(x, k: int, sorted: bool = True):
    """The `k` largest values along the last axis and their indices (int32).

    Args:
        x: Input tensor.
        k: How many values to return.
        sorted: Return them in descending order.

    Returns:
        A tuple `(values, indices)`.

    Example:
        >>> top_k(torch.tensor([1.0, 3.0, 2.0]), k=1)
        (tensor([3.]), tensor([1], dtype=torch.int32))
    """
    values, indices = torch.topk(tensor(x), k, dim=-1, largest=True, sorted=sorted)
    return values, indices.to(torch.int32)


def in_top_k(targets, predictions, k: int) -> torch.Tensor:
    """Whether each target class is among the `k` highest predictions of its row.

    Args:
        targets: Integer class ids, shape (batch,).
        predictions: Scores, shape (batch, classes).
        k: How many top predictions count.

    Returns:
        A bool tensor of shape (batch,); ties with the k-th value count as in the top k.

    Example:
        >>> in_top_k(torch.tensor([1, 0]), torch.tensor([[0.1, 0.9], [0.2, 0.8]]), k=1)
        tensor([ True, False])
    """
    scores = tensor(predictions)
    labels = tensor(targets, scores.device).long().reshape(-1, 1)
    target_scores = torch.take_along_dim(scores, labels, dim=-1)
    higher = (scores > target_scores).sum(dim=-1)
    return (higher < k) & torch.isfinite(target_scores.squeeze(-1))
