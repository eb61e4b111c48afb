"""Products and norms: `matmul`, `dot`, `einsum`, `tensordot`, `outer`, `norm`, `trace`, ...

Operands of different dtypes are promoted to a common one first (torch's matmul refuses
mixed dtypes; Keras promotes), and integer products run in float32 where the device has no
integer kernels, then are cast back.

Example:
    >>> from lamina import ops
    >>> ops.matmul(torch.ones(2, 3), torch.ones(3, 4)).shape
    torch.Size([2, 4])
"""
from __future__ import annotations

import torch

import torch.nn.functional as F

from lamina.ops.core import normalize_axis, tensor, tensors

__all__ = ["matmul", "dot", "einsum", "tensordot", "outer", "inner", "vdot", "norm", "trace",
           "diag", "diagonal", "correlate"]


def _promoted(*parts: torch.Tensor):
    """The operands in one dtype, the dtype to compute in, and the dtype to return."""
    result = parts[0].dtype
    for part in parts[1:]:
        result = torch.promote_types(result, part.dtype)
    compute = result
    if result == torch.int8 and all(p.dtype == torch.int8 for p in parts):
        result = compute = torch.int32  # int8 products accumulate in int32, as in Keras
    if not compute.is_floating_point and (parts[0].device.type != "cpu" or compute == torch.bool):
        compute = torch.float32  # no integer matmul kernels on accelerators
    return [p.to(compute) for p in parts], result


def _finish(out: torch.Tensor, result: torch.dtype) -> torch.Tensor:
    return out if out.dtype == result else out.to(result)


def matmul(x1, x2) -> torch.Tensor:
    """Matrix product with batch broadcasting (NumPy's `matmul`, `@`).

    Example:
        >>> matmul(torch.ones(5, 2, 3), torch.ones(3, 4)).shape
        torch.Size([5, 2, 4])
    """
    a, b = tensors(x1, x2)
    if a.dtype == b.dtype and a.is_floating_point():
        return torch.matmul(a, b)
    (a, b), result = _promoted(a, b)
    return _finish(torch.matmul(a, b), result)


def dot(x1, x2) -> torch.Tensor:
    """NumPy's `dot`: sums over the last axis of `x1` and the second-to-last of `x2`.

    Scalars multiply; 1-D x 1-D is the inner product; N-D x M-D (M >= 2) contracts
    `x1[..., k]` with `x2[..., k, :]` and keeps every other axis.

    Example:
        >>> dot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
        tensor(11.)
    """
    (a, b), result = _promoted(*tensors(x1, x2))
    if a.ndim == 0 or b.ndim == 0:
        return _finish(a * b, result)
    if b.ndim <= 2:
        return _finish(torch.matmul(a, b), result)
    return _finish(torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2])), result)


def einsum(subscripts: str, *operands, **kwargs) -> torch.Tensor:
    """Einstein summation, e.g. `einsum("bij,bjk->bik", a, b)`. Keras' backend options
    (`optimize=`) are accepted and left to torch's own contraction order.

    Example:
        >>> einsum("i,i->", torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
        tensor(11.)
    """
    parts = tensors(*operands)
    if all(p.dtype == parts[0].dtype for p in parts) and parts[0].is_floating_point():
        return torch.einsum(subscripts, *parts)
    parts, result = _promoted(*parts)
    return _finish(torch.einsum(subscripts, *parts), result)


def tensordot(x1, x2, axes=2) -> torch.Tensor:
    """Sum of products over the given axes (NumPy's `tensordot`).

    Args:
        x1: First tensor.
        x2: Second tensor.
        axes: An int N (last N axes of `x1` with first N of `x2`) or a pair of axis lists.

    Returns:
        The contracted tensor.

    Example:
        >>> tensordot(torch.ones(2, 3), torch.ones(3, 4), axes=1).shape
        torch.Size([2, 4])
    """
    (a, b), result = _promoted(*tensors(x1, x2))
    if isinstance(axes, (list, tuple)):
        first, second = axes
        axes = ([first] if isinstance(first, int) else list(first),
                [second] if isinstance(second, int) else list(second))
    return _finish(torch.tensordot(a, b, dims=axes), result)


def outer(x1, x2) -> torch.Tensor:
    """Outer product of the flattened inputs.

    Example:
        >>> outer(torch.tensor([1, 2]), torch.tensor([3, 4]))
        tensor([[3, 4],
                [6, 8]])
    """
    a, b = tensors(x1, x2)
    return a.reshape(-1, 1) * b.reshape(1, -1)


def inner(x1, x2) -> torch.Tensor:
    """Inner product over the last axes (NumPy's `inner`).

    Example:
        >>> inner(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
        tensor(11.)
    """
    (a, b), result = _promoted(*tensors(x1, x2))
    return _finish(torch.inner(a, b), result)


def vdot(x1, x2) -> torch.Tensor:
    """Dot product of the flattened inputs.

    Example:
        >>> vdot(torch.ones(2, 2), torch.ones(2, 2))
        tensor(4.)
    """
    (a, b), result = _promoted(*tensors(x1, x2))
    return _finish(torch.dot(a.reshape(-1), b.reshape(-1)), result)


def norm(x, ord=None, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Vector or matrix norm (NumPy's `linalg.norm`; integers give float32).

    Args:
        x: Input tensor.
        ord: Norm order: None (2-norm / Frobenius), an int or float, inf, 'fro' or 'nuc'.
        axis: None (all of `x` as one vector, or a matrix when 2-D and `ord` is given),
            an int (vector norms) or a pair of ints (matrix norms).
        keepdims: Keep the reduced axes with size 1.

    Returns:
        The norms.

    Example:
        >>> norm(torch.tensor([3.0, 4.0]))
        tensor(5.)
    """
    x = tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.float32)
    if axis is None and ord is None:
        out = torch.linalg.vector_norm(x.reshape(-1))
        return out.reshape((1,) * x.ndim) if keepdims else out
    if axis is None:
        axis = tuple(range(x.ndim))
    dims = normalize_axis(axis, x.ndim)
    if len(dims) == 2 and ord is not None:
        return torch.linalg.matrix_norm(x, ord=ord, dim=dims, keepdim=keepdims)
    return torch.linalg.vector_norm(x, ord=2 if ord is None else ord, dim=dims,
                                    keepdim=keepdims)


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """Sum along a diagonal of `x` (small ints and booleans sum in int32).

    Example:
        >>> trace(torch.eye(3))
        tensor(3.)
    """
    x = tensor(x)
    diagonal_values = torch.diagonal(x, offset=offset, dim1=axis1, dim2=axis2)
    small_ints = (torch.bool, torch.uint8, torch.int8, torch.int16)
    out_dtype = torch.int32 if x.dtype in small_ints else x.dtype
    return torch.sum(diagonal_values, dim=-1, dtype=out_dtype)


def diag(x, k: int = 0) -> torch.Tensor:
    """The `k`-th diagonal of a 2-D `x`, or a 2-D matrix with 1-D `x` on its diagonal.

    Example:
        >>> diag(torch.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
    """
    return torch.diag(tensor(x), diagonal=k)


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """The diagonal of `x` over the axes `axis1`, `axis2` (moved to the last axis).

    Example:
        >>> diagonal(torch.arange(4).reshape(2, 2))
        tensor([0, 3])
    """
    return torch.diagonal(tensor(x), offset=offset, dim1=axis1, dim2=axis2)


_CORRELATE_MODES = ("valid", "same", "full")


def correlate(x1, x2, mode: str = "valid") -> torch.Tensor:
    """The cross-correlation `c[k] = sum_n x1[n + k] * x2[n]` of two 1-D tensors (NumPy's).

    Args:
        x1: A 1-D tensor of length M.
        x2: A 1-D tensor of length N.
        mode: 'valid' (length `max(M, N) - min(M, N) + 1`), 'same' (length `max(M, N)`) or
            'full' (every overlap, length `M + N - 1`).

    Returns:
        A float tensor (int64 inputs give float64, other integers float32).

    Example:
        >>> correlate(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 1.0, 0.5]), "full")
        tensor([0.5000, 2.0000, 3.5000, 3.0000, 0.0000])
    """
    if mode not in _CORRELATE_MODES:
        raise ValueError(f"`mode` must be one of {_CORRELATE_MODES}. Received: mode={mode!r}")
    a, b = tensors(x1, x2)
    if a.dim() != 1 or b.dim() != 1:
        raise ValueError(f"`correlate` takes 1-D tensors. Received: x1.shape={tuple(a.shape)}, "
                         f"x2.shape={tuple(b.shape)}")
    dtype = torch.promote_types(a.dtype, b.dtype)
    if dtype == torch.int64:
        dtype = torch.float64
    elif dtype not in (torch.float16, torch.bfloat16, torch.float64):
        dtype = torch.float32
    a, b = a.to(dtype), b.to(dtype)
    if a.shape[0] < b.shape[0]:
        # NumPy's order: the longer input slides, and the result is read backwards.
        return _sliding_products(b, a, mode).flip(0)
    return _sliding_products(a, b, mode)


def _sliding_products(longer: torch.Tensor, shorter: torch.Tensor, mode: str) -> torch.Tensor:
    full = F.conv1d(longer[None, None], shorter[None, None], padding=shorter.shape[0] - 1)[0, 0]
    length = {"valid": longer.shape[0] - shorter.shape[0] + 1, "same": longer.shape[0],
              "full": full.shape[0]}[mode]
    start = (full.shape[0] - length) // 2
    return full[start:start + length]
