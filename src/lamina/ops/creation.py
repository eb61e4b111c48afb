"""Creating tensors: `ones`, `zeros`, `full`, `arange`, `linspace`, `eye`, `tril`, ...

Created tensors land on `lamina.backend.get_device()`; float dtypes default to floatx
('float32'), Python ints give int32 (`arange(3)`), and `full` without a dtype is floatx,
as in Keras.

Example:
    >>> from lamina import ops
    >>> ops.arange(3)
    tensor([0, 1, 2], dtype=torch.int32)
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.ops.core import python_scalar_dtype, tensor, tensors

__all__ = [
    "ones", "zeros", "full", "empty", "ones_like", "zeros_like", "full_like", "empty_like",
    "arange", "linspace", "eye", "identity", "tri", "tril", "triu", "meshgrid",
    "logspace", "geomspace",
]


def _dtype_or_floatx(dtype) -> torch.dtype:
    return backend.torch_dtype(dtype)  # None means floatx


def _shape(shape) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


def ones(shape, dtype=None) -> torch.Tensor:
    """A tensor of ones (float32 unless `dtype` says otherwise).

    Example:
        >>> ones((2,))
        tensor([1., 1.])
    """
    return torch.ones(_shape(shape), dtype=_dtype_or_floatx(dtype), device=backend.get_device())


def zeros(shape, dtype=None) -> torch.Tensor:
    """A tensor of zeros (float32 unless `dtype` says otherwise).

    Example:
        >>> zeros((2,))
        tensor([0., 0.])
    """
    return torch.zeros(_shape(shape), dtype=_dtype_or_floatx(dtype), device=backend.get_device())


def empty(shape, dtype=None) -> torch.Tensor:
    """An uninitialised tensor (float32 unless `dtype` says otherwise).

    Example:
        >>> empty((2, 3)).shape
        torch.Size([2, 3])
    """
    return torch.empty(_shape(shape), dtype=_dtype_or_floatx(dtype), device=backend.get_device())


def full(shape, fill_value, dtype=None) -> torch.Tensor:
    """A tensor of `shape` filled with `fill_value` (a scalar, or an array that broadcasts).

    With `dtype=None` the tensor is floatx whatever the fill value (an int, a bool, an array),
    as in Keras.

    Example:
        >>> full((2,), 7)
        tensor([7., 7.])
    """
    shape = _shape(shape)
    target = backend.torch_dtype(dtype or backend.floatx())
    if isinstance(fill_value, (bool, int, float)):
        return torch.full(shape, fill_value, dtype=target, device=backend.get_device())
    return torch.broadcast_to(tensor(fill_value).to(target), shape).clone()


def _like(fn, x, dtype, **kwargs) -> torch.Tensor:
    x = tensor(x)
    return fn(x, dtype=x.dtype if dtype is None else backend.torch_dtype(dtype), **kwargs)


def ones_like(x, dtype=None) -> torch.Tensor:
    """Ones with the shape (and, by default, the dtype and device) of `x`.

    Example:
        >>> ones_like(torch.zeros(2, dtype=torch.int32))
        tensor([1, 1], dtype=torch.int32)
    """
    return _like(torch.ones_like, x, dtype)


def zeros_like(x, dtype=None) -> torch.Tensor:
    """Zeros with the shape (and, by default, the dtype and device) of `x`.

    Example:
        >>> zeros_like(torch.ones(2))
        tensor([0., 0.])
    """
    return _like(torch.zeros_like, x, dtype)


def empty_like(x, dtype=None) -> torch.Tensor:
    """An uninitialised tensor with the shape (and by default dtype and device) of `x`.

    Example:
        >>> empty_like(torch.ones(2)).shape
        torch.Size([2])
    """
    return _like(torch.empty_like, x, dtype)


def full_like(x, fill_value, dtype=None) -> torch.Tensor:
    """`fill_value` with the shape (and, by default, the dtype and device) of `x`.

    Example:
        >>> full_like(torch.zeros(2), 3)
        tensor([3., 3.])
    """
    x = tensor(x)
    target = x.dtype if dtype is None else backend.torch_dtype(dtype)
    if isinstance(fill_value, (bool, int, float)):
        return torch.full_like(x, fill_value, dtype=target)
    return torch.broadcast_to(tensor(fill_value, x.device).to(target), x.shape).clone()


def _number_dtype(*values) -> torch.dtype:
    # Keras: Python ints give int32, any float gives floatx; tensors/arrays give their dtype.
    dtypes = [v.dtype if isinstance(v, torch.Tensor) else python_scalar_dtype(v)
              for v in values if v is not None]
    result = dtypes[0]
    for other in dtypes[1:]:
        result = torch.promote_types(result, other)
    if result == torch.float64 and not any(isinstance(v, torch.Tensor) for v in values):
        result = _dtype_or_floatx(None)
    return result


def arange(start, stop=None, step=None, dtype=None) -> torch.Tensor:
    """Evenly spaced values in `[start, stop)`; `arange(n)` is `0, 1, ..., n - 1`.

    Args:
        start: First value (or the end, when `stop` is None).
        stop: End value, excluded.
        step: Spacing (default 1).
        dtype: Result dtype; None gives int32 for ints and float32 when any value is a float.

    Returns:
        A 1-D tensor.

    Example:
        >>> arange(3)
        tensor([0, 1, 2], dtype=torch.int32)
    """
    target = _number_dtype(start, stop, step) if dtype is None else backend.torch_dtype(dtype)
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, stop, 1 if step is None else step, dtype=target,
                        device=backend.get_device())


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype=None, axis: int = 0):
    """`num` evenly spaced values from `start` to `stop` (included when `endpoint`).

    Example:
        >>> linspace(0.0, 1.0, num=3)
        tensor([0.0000, 0.5000, 1.0000])
    """
    if axis != 0:
        raise ValueError(f"`linspace` supports axis=0 only. Received: axis={axis}.")
    target = _dtype_or_floatx(dtype)
    if endpoint:
        step = (stop - start) / (num - 1) if num > 1 else float("nan")
        end = stop
    else:
        step = (stop - start) / num if num > 0 else float("nan")
        end = stop - step if num > 1 else stop
    values = torch.linspace(start, end, num, dtype=target, device=backend.get_device())
    return (values, step) if retstep else values


def _spacing_dtype(start, stop, dtype) -> torch.dtype:
    """Keras' `result_type(start, stop, float)`: the tensors' float dtype, else floatx."""
    if dtype is not None:
        return backend.torch_dtype(dtype)
    result = None
    for value in (start, stop):
        if isinstance(value, torch.Tensor):
            result = value.dtype if result is None else torch.promote_types(result, value.dtype)
    if result is None or not result.is_floating_point:
        return _dtype_or_floatx(None)
    return result


def _compute_dtype(target: torch.dtype) -> torch.dtype:
    """Integer (and bool) results are computed in floatx, then cast, as Keras does."""
    return target if target.is_floating_point else _dtype_or_floatx(None)


def _exponents(start, stop, num: int, endpoint: bool, dtype, axis: int, name: str):
    """`num` evenly spaced values from `start` to `stop` on a new axis 0 (arrays broadcast)."""
    if axis != 0:
        raise ValueError(f"`{name}` supports axis=0 only (as Keras' torch backend). "
                         f"Received: axis={axis}")
    low, high = (tensor(v).to(dtype) for v in tensors(start, stop))
    low, high = torch.broadcast_tensors(low, high)
    steps = torch.arange(num, dtype=dtype, device=low.device)
    steps = steps / max(num - 1 if endpoint else num, 1)
    steps = steps.reshape((num,) + (1,) * low.dim())
    return low + steps * (high - low)


def logspace(start, stop, num: int = 50, endpoint: bool = True, base=10, dtype=None,
             axis: int = 0) -> torch.Tensor:
    """`num` values from `base ** start` to `base ** stop`, evenly spaced in the exponent.

    Args:
        start, stop: The first and last exponents (arrays give one sequence per element).
        num: How many values.
        endpoint: Whether `base ** stop` is the last value.
        base: The base of the powers.
        dtype: The result dtype; None gives the inputs' float dtype, else floatx.
        axis: Must be 0 (the samples axis comes first).

    Example:
        >>> logspace(0.0, 2.0, num=3)
        tensor([  1.,  10., 100.])
    """
    target = _spacing_dtype(start, stop, dtype)
    compute = _compute_dtype(target)
    exponents = _exponents(start, stop, num, endpoint, compute, axis, "logspace")
    powers = torch.pow(torch.as_tensor(base, dtype=compute, device=exponents.device), exponents)
    return powers.to(target)


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None,
              axis: int = 0) -> torch.Tensor:
    """`num` values from `start` to `stop` in a geometric progression (constant ratio).

    Example:
        >>> geomspace(1.0, 1000.0, num=4)
        tensor([   1.,   10.,  100., 1000.])
    """
    target = _spacing_dtype(start, stop, dtype)
    compute = _compute_dtype(target)
    low, high = (tensor(v).to(compute) for v in tensors(start, stop))
    exponents = _exponents(torch.log10(low.abs()), torch.log10(high.abs()), num, endpoint,
                           compute, axis, "geomspace")
    powers = torch.pow(torch.tensor(10.0, dtype=compute, device=low.device), exponents)
    return (powers * low.sign()).to(target)


def eye(N: int, M: int | None = None, k: int = 0, dtype=None) -> torch.Tensor:
    """An `N x M` matrix with ones on the `k`-th diagonal.

    Example:
        >>> eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    M = N if M is None else M
    ones_matrix = torch.ones((N, M), dtype=_dtype_or_floatx(dtype), device=backend.get_device())
    return torch.triu(torch.tril(ones_matrix, diagonal=k), diagonal=k)


def identity(n: int, dtype=None) -> torch.Tensor:
    """The `n x n` identity matrix.

    Example:
        >>> identity(2, dtype="int32")
        tensor([[1, 0],
                [0, 1]], dtype=torch.int32)
    """
    return torch.eye(n, dtype=_dtype_or_floatx(dtype), device=backend.get_device())


def tri(N: int, M: int | None = None, k: int = 0, dtype=None) -> torch.Tensor:
    """An `N x M` matrix with ones at and below the `k`-th diagonal.

    Example:
        >>> tri(2)
        tensor([[1., 0.],
                [1., 1.]])
    """
    M = N if M is None else M
    ones_matrix = torch.ones((N, M), dtype=_dtype_or_floatx(dtype), device=backend.get_device())
    return torch.tril(ones_matrix, diagonal=k)


def tril(x, k: int = 0) -> torch.Tensor:
    """`x` with the elements above the `k`-th diagonal zeroed.

    Example:
        >>> tril(torch.ones(2, 2))
        tensor([[1., 0.],
                [1., 1.]])
    """
    return torch.tril(tensor(x), diagonal=k)


def triu(x, k: int = 0) -> torch.Tensor:
    """`x` with the elements below the `k`-th diagonal zeroed.

    Example:
        >>> triu(torch.ones(2, 2))
        tensor([[1., 1.],
                [0., 1.]])
    """
    return torch.triu(tensor(x), diagonal=k)


def meshgrid(*x, indexing: str = "xy") -> list[torch.Tensor]:
    """Coordinate grids from 1-D tensors ('xy' Cartesian or 'ij' matrix indexing).

    Example:
        >>> [g.shape for g in meshgrid(torch.arange(3), torch.arange(2))]
        [torch.Size([2, 3]), torch.Size([2, 3])]
    """
    return list(torch.meshgrid(*tensors(*x), indexing=indexing))
