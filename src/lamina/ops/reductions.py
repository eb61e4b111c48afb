"""Reductions and orderings with Keras' names: `sum`, `mean`, `max`, `argmax`, `var`, `sort`, ...

Every reduction takes Keras' `axis=None, keepdims=False` (an int, a tuple of ints, or None for
all axes) and returns a tensor (0-d for a full reduction), never a Python number, so nothing
waits for the device.

Example:
    >>> from lamina import ops
    >>> ops.mean(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    tensor([2., 3.])
"""
from __future__ import annotations

import builtins

import torch

from lamina import backend
from lamina.ops.core import normalize_axis, tensor

__all__ = [
    "sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std", "prod",
    "all", "any", "cumsum", "cumprod", "average", "count_nonzero", "sort", "argsort",
    "median",
]

# Keras (following JAX) sums small integers and booleans in int32.
_SMALL_INTS = (torch.bool, torch.uint8, torch.int8, torch.int16)


def _empty_axis(axis) -> bool:
    return isinstance(axis, (tuple, list)) and len(axis) == 0


def sum(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Sum of the elements over `axis` (booleans and small ints sum in int32).

    Args:
        x: Input tensor.
        axis: An int, a tuple of ints, or None for all axes.
        keepdims: Keep the reduced axes with size 1.

    Returns:
        The sums; integer inputs keep their dtype (int32 for bool, int8 and int16).

    Example:
        >>> sum(torch.tensor([[1, 2], [3, 4]]), axis=1)
        tensor([3, 7])
    """
    x = tensor(x) if not isinstance(x, (list, tuple)) else torch.stack([tensor(v) for v in x])
    if _empty_axis(axis):
        return x
    dims = normalize_axis(axis, x.ndim)
    if x.is_floating_point():
        return torch.sum(x, dim=dims, keepdim=keepdims)
    out_dtype = torch.int32 if x.dtype in _SMALL_INTS else x.dtype
    return torch.sum(x, dim=dims, keepdim=keepdims, dtype=out_dtype)


def _mean_dtypes(x: torch.Tensor):
    # Integers average in float32; float16/bfloat16 accumulate in float32 and are cast back.
    if not x.is_floating_point():
        return torch.float32, torch.float32
    if x.dtype in (torch.float16, torch.bfloat16):
        return torch.float32, x.dtype
    return x.dtype, x.dtype


def mean(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Arithmetic mean over `axis` (integers give float32).

    Args:
        x: Input tensor.
        axis: An int, a tuple of ints, or None for all axes.
        keepdims: Keep the reduced axes with size 1.

    Returns:
        The means.

    Example:
        >>> mean(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=-1, keepdims=True)
        tensor([[1.5000],
                [3.5000]])
    """
    x = tensor(x) if not isinstance(x, (list, tuple)) else torch.stack([tensor(v) for v in x])
    if _empty_axis(axis):
        return x
    compute_dtype, result_dtype = _mean_dtypes(x)
    dims = normalize_axis(axis, x.ndim)
    if compute_dtype == x.dtype:
        return torch.mean(x, dim=dims, keepdim=keepdims)
    return torch.mean(x, dim=dims, keepdim=keepdims, dtype=compute_dtype).to(result_dtype)


def _extreme(torch_fn, x, axis, keepdims, initial, clamp_fn, name):
    x = tensor(x)
    if x.numel() == 0 and initial is None:
        raise ValueError(f"Cannot compute the {name} of an empty tensor (shape {tuple(x.shape)}) "
                         f"without `initial`. Pass e.g. initial=0.")
    if _empty_axis(axis):
        return x
    result = torch_fn(x, dim=normalize_axis(axis, x.ndim), keepdim=keepdims)
    return result if initial is None else clamp_fn(result, initial)


def max(x, axis=None, keepdims: bool = False, initial=None) -> torch.Tensor:
    """Largest element over `axis`, at least `initial` when given.

    Example:
        >>> max(torch.tensor([[1, 5], [3, 2]]), axis=0)
        tensor([3, 5])
    """
    return _extreme(torch.amax, x, axis, keepdims, initial, torch.clamp_min, "max")


def min(x, axis=None, keepdims: bool = False, initial=None) -> torch.Tensor:
    """Smallest element over `axis`, at most `initial` when given.

    Example:
        >>> min(torch.tensor([[1, 5], [3, 2]]), axis=0)
        tensor([1, 2])
    """
    return _extreme(torch.amin, x, axis, keepdims, initial, torch.clamp_max, "min")


def amax(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Largest element over `axis` (same as `max`).

    Example:
        >>> amax(torch.tensor([1, 5, 3]))
        tensor(5)
    """
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Smallest element over `axis` (same as `min`).

    Example:
        >>> amin(torch.tensor([1, 5, 3]))
        tensor(1)
    """
    return min(x, axis=axis, keepdims=keepdims)


def _arg_extreme(torch_fn, x, axis, keepdims) -> torch.Tensor:
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None and keepdims:
        return torch_fn(x.reshape(-1)).reshape((1,) * x.ndim).to(torch.int32)
    return torch_fn(x, dim=axis, keepdim=keepdims).to(torch.int32)


def argmax(x, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index (int32) of the largest element over `axis` (of the flattened `x` when None).

    Example:
        >>> argmax(torch.tensor([[1, 5], [3, 2]]), axis=1)
        tensor([1, 0], dtype=torch.int32)
    """
    return _arg_extreme(torch.argmax, x, axis, keepdims)


def argmin(x, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index (int32) of the smallest element over `axis` (of the flattened `x` when None).

    Example:
        >>> argmin(torch.tensor([[1, 5], [3, 2]]), axis=1)
        tensor([0, 1], dtype=torch.int32)
    """
    return _arg_extreme(torch.argmin, x, axis, keepdims)


def var(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Population variance (no Bessel correction, as NumPy) over `axis`.

    Example:
        >>> var(torch.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.2500)
    """
    x = tensor(x)
    compute_dtype, result_dtype = _mean_dtypes(x)
    if _empty_axis(axis):
        return torch.zeros_like(x, dtype=result_dtype)
    dims = normalize_axis(axis, x.ndim)
    out = torch.var(x.to(compute_dtype), dim=dims, keepdim=keepdims, correction=0)
    return out.to(result_dtype)


def std(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation (no Bessel correction, as NumPy) over `axis`.

    Example:
        >>> std(torch.tensor([1.0, 3.0]))
        tensor(1.)
    """
    x = tensor(x)
    compute_dtype, result_dtype = _mean_dtypes(x)
    if _empty_axis(axis):
        return torch.zeros_like(x, dtype=result_dtype)
    dims = normalize_axis(axis, x.ndim)
    out = torch.std(x.to(compute_dtype), dim=dims, keepdim=keepdims, correction=0)
    return out.to(result_dtype)


def prod(x, axis=None, keepdims: bool = False, dtype=None) -> torch.Tensor:
    """Product of the elements over `axis` (booleans and small ints in int32).

    Example:
        >>> prod(torch.tensor([[1, 2], [3, 4]]), axis=0)
        tensor([3, 8])
    """
    x = tensor(x)
    if dtype is not None:
        out_dtype = backend.torch_dtype(dtype)
    else:
        out_dtype = torch.int32 if x.dtype in _SMALL_INTS else x.dtype
    if axis is None:
        out = torch.prod(x, dtype=out_dtype)
        return out.reshape((1,) * x.ndim) if keepdims else out
    out = x
    # torch.prod reduces one axis at a time; reduce the highest first so indices stay valid.
    for dim in sorted((d % x.ndim for d in normalize_axis(axis, x.ndim)), reverse=True):
        out = torch.prod(out, dim=dim, keepdim=keepdims, dtype=out_dtype)
    return out


def all(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Whether every element over `axis` is true (non-zero).

    Example:
        >>> all(torch.tensor([[True, False], [True, True]]), axis=1)
        tensor([False,  True])
    """
    x = tensor(x)
    if _empty_axis(axis):
        return x.to(torch.bool)
    return torch.all(x, dim=normalize_axis(axis, x.ndim), keepdim=keepdims)


def any(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Whether any element over `axis` is true (non-zero).

    Example:
        >>> any(torch.tensor([[True, False], [False, False]]), axis=1)
        tensor([ True, False])
    """
    x = tensor(x)
    if _empty_axis(axis):
        return x.to(torch.bool)
    return torch.any(x, dim=normalize_axis(axis, x.ndim), keepdim=keepdims)


def _cumulative(torch_fn, x, axis, dtype) -> torch.Tensor:
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if dtype is not None:
        out_dtype = backend.torch_dtype(dtype)
    else:
        out_dtype = torch.int32 if x.dtype == torch.bool else x.dtype
    return torch_fn(x, dim=axis, dtype=out_dtype)


def cumsum(x, axis: int | None = None, dtype=None) -> torch.Tensor:
    """Cumulative sum along `axis` (of the flattened `x` when None).

    Example:
        >>> cumsum(torch.tensor([1, 2, 3]))
        tensor([1, 3, 6])
    """
    return _cumulative(torch.cumsum, x, axis, dtype)


def cumprod(x, axis: int | None = None, dtype=None) -> torch.Tensor:
    """Cumulative product along `axis` (of the flattened `x` when None).

    Example:
        >>> cumprod(torch.tensor([1, 2, 3]))
        tensor([1, 2, 6])
    """
    return _cumulative(torch.cumprod, x, axis, dtype)


def average(x, axis: int | None = None, weights=None) -> torch.Tensor:
    """Weighted mean over `axis`; 1-D `weights` apply along `axis`, as in NumPy.

    Args:
        x: Input tensor.
        axis: The axis to average over (None: all elements).
        weights: None (plain mean), weights of `x`'s shape, or 1-D weights of length
            `x.shape[axis]`.

    Returns:
        `sum(x * weights) / sum(weights)` over `axis`, as a float tensor.

    Example:
        >>> average(torch.tensor([1.0, 3.0]), weights=torch.tensor([3.0, 1.0]))
        tensor(1.5000)
    """
    x = tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.float32)
    if weights is None:
        return mean(x, axis=axis)
    w = tensor(weights, x.device)
    w = w.to(torch.result_type(x, w) if w.is_floating_point() else x.dtype)
    x = x.to(w.dtype)
    if axis is not None and w.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        w = w.reshape(shape)
    w = torch.broadcast_to(w, x.shape)
    dims = normalize_axis(axis, x.ndim)
    return torch.sum(x * w, dim=dims) / torch.sum(w, dim=dims)


def count_nonzero(x, axis=None) -> torch.Tensor:
    """Number (int32) of non-zero elements over `axis`.

    Example:
        >>> count_nonzero(torch.tensor([[0, 1], [2, 3]]), axis=1)
        tensor([1, 2], dtype=torch.int32)
    """
    x = tensor(x)
    if _empty_axis(axis):
        return torch.ne(x, 0).to(torch.int32)
    return torch.count_nonzero(x, dim=normalize_axis(axis, x.ndim)).to(torch.int32)


def sort(x, axis: int = -1) -> torch.Tensor:
    """The values of `x` sorted ascending along `axis`.

    Example:
        >>> sort(torch.tensor([3, 1, 2]))
        tensor([1, 2, 3])
    """
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), -1
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x, axis: int = -1) -> torch.Tensor:
    """Indices (int32) that sort `x` ascending along `axis` (stable).

    Example:
        >>> argsort(torch.tensor([3, 1, 2]))
        tensor([1, 2, 0], dtype=torch.int32)
    """
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        x, axis = x.reshape(-1), -1
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def median(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Median over `axis`, averaging the two middle values for even counts (as NumPy).

    Example:
        >>> median(torch.tensor([1.0, 4.0, 2.0, 3.0]))
        tensor(2.5000)
    """
    x = tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.float32)
    dims = sorted(d % builtins.max(x.ndim, 1) for d in normalize_axis(axis, x.ndim))
    others = [d for d in range(x.ndim) if d not in dims]
    flat = x.permute(others + dims).reshape([x.shape[d] for d in others] + [-1])
    out = torch.quantile(flat, 0.5, dim=-1)
    if keepdims:
        out = out.reshape([1 if d in dims else x.shape[d] for d in range(x.ndim)])
    return out

