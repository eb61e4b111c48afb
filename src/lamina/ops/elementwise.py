"""Element-wise ops of two tensors: arithmetic, `maximum`, `clip`, comparisons and logic.

They broadcast and follow Keras' type promotion: an int tensor plus a Python float is
float32, a float16 tensor times a Python float stays float16, int / int is float32. Python
scalars are passed to torch as scalars, so no tensor is created for them.

Example:
    >>> from lamina import ops
    >>> ops.add(torch.tensor([1, 2]), 1.5)
    tensor([2.5000, 3.5000])
"""
from __future__ import annotations

import torch

from lamina.ops.core import PY_SCALARS, operands, tensor, tensors
from lamina.ops.unary import as_float

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "divide_no_nan", "floor_divide",
    "mod", "power", "negative", "maximum", "minimum", "clip", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "logical_and", "logical_or", "logical_xor",
    "logical_not", "logaddexp", "hypot", "arctan2", "isclose",
]


def add(x1, x2) -> torch.Tensor:
    """`x1 + x2`, broadcast.

    Example:
        >>> add(torch.tensor([1, 2]), 1.5)
        tensor([2.5000, 3.5000])
    """
    a, b = operands(x1, x2)
    return a + b


def subtract(x1, x2) -> torch.Tensor:
    """`x1 - x2`, broadcast (booleans count as 0/1).

    Example:
        >>> subtract(torch.tensor([3.0]), 1)
        tensor([2.])
    """
    a, b = operands(x1, x2)
    return _numeric_if_bool(a, b) - _numeric_if_bool(b, a)


def _numeric_if_bool(value, other):
    # torch refuses `-` on booleans; Keras counts them as numbers of the other operand's type.
    if not isinstance(value, torch.Tensor) or value.dtype != torch.bool:
        return value
    if isinstance(other, torch.Tensor) and other.dtype != torch.bool:
        return value.to(other.dtype)
    return value.to(torch.int32)


def multiply(x1, x2) -> torch.Tensor:
    """`x1 * x2`, broadcast.

    Example:
        >>> multiply(torch.tensor([1.0, 2.0]), 3)
        tensor([3., 6.])
    """
    a, b = operands(x1, x2)
    return a * b


def divide(x1, x2) -> torch.Tensor:
    """True division `x1 / x2` (integers give float32).

    Example:
        >>> divide(torch.tensor([1, 2]), 2)
        tensor([0.5000, 1.0000])
    """
    a, b = operands(x1, x2)
    return a / b


true_divide = divide


def divide_no_nan(x1, x2) -> torch.Tensor:
    """`x1 / x2`, with 0 wherever `x2` is 0.

    Example:
        >>> divide_no_nan(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0]))
        tensor([0.0000, 0.5000])
    """
    a, b = operands(x1, x2)
    quotient = a / b
    return torch.where(tensor(b, quotient.device) == 0, 0, quotient)


def floor_divide(x1, x2) -> torch.Tensor:
    """`x1 // x2` (rounded towards minus infinity, as in NumPy).

    Example:
        >>> floor_divide(torch.tensor([-3, 7]), 2)
        tensor([-2,  3])
    """
    a, b = operands(x1, x2)
    return a // b


def mod(x1, x2) -> torch.Tensor:
    """`x1 % x2` with the sign of `x2` (NumPy's `mod`).

    Example:
        >>> mod(torch.tensor([-3, 7]), 5)
        tensor([2, 2])
    """
    a, b = operands(x1, x2)
    return a % b


def power(x1, x2) -> torch.Tensor:
    """`x1 ** x2`, broadcast.

    Example:
        >>> power(torch.tensor([2.0, 3.0]), 2)
        tensor([4., 9.])
    """
    a, b = operands(x1, x2)
    return a ** b


def negative(x) -> torch.Tensor:
    """`-x`.

    Example:
        >>> negative(torch.tensor([1.0, -2.0]))
        tensor([-1.,  2.])
    """
    return torch.negative(tensor(x))


def maximum(x1, x2) -> torch.Tensor:
    """Element-wise maximum of `x1` and `x2` (NaN propagates).

    Example:
        >>> maximum(torch.tensor([-1.0, 2.0]), 0.0)
        tensor([0., 2.])
    """
    a, b = operands(x1, x2)
    if isinstance(b, PY_SCALARS):
        return torch.clamp_min(a, b)
    if isinstance(a, PY_SCALARS):
        return torch.clamp_min(b, a)
    return torch.maximum(*_same_dtype(a, b))


def minimum(x1, x2) -> torch.Tensor:
    """Element-wise minimum of `x1` and `x2` (NaN propagates).

    Example:
        >>> minimum(torch.tensor([-1.0, 2.0]), 0.0)
        tensor([-1.,  0.])
    """
    a, b = operands(x1, x2)
    if isinstance(b, PY_SCALARS):
        return torch.clamp_max(a, b)
    if isinstance(a, PY_SCALARS):
        return torch.clamp_max(b, a)
    return torch.minimum(*_same_dtype(a, b))


def _same_dtype(a: torch.Tensor, b: torch.Tensor):
    if a.dtype == b.dtype:
        return a, b
    common = torch.result_type(a, b)
    return a.to(common), b.to(common)


def clip(x, x_min, x_max) -> torch.Tensor:
    """Limits the values of `x` to `[x_min, x_max]` (booleans become int32 first).

    Example:
        >>> clip(torch.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0)
        tensor([0.0000, 0.5000, 1.0000])
    """
    x = tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    low = x_min if isinstance(x_min, PY_SCALARS) or x_min is None else tensor(x_min, x.device)
    high = x_max if isinstance(x_max, PY_SCALARS) or x_max is None else tensor(x_max, x.device)
    if isinstance(low, torch.Tensor) != isinstance(high, torch.Tensor):
        # torch.clamp takes two numbers or two tensors, not one of each.
        low, high = (torch.as_tensor(bound, dtype=x.dtype, device=x.device)
                     if bound is not None else None for bound in (low, high))
    return torch.clamp(x, low, high)


def equal(x1, x2) -> torch.Tensor:
    """`x1 == x2` as a bool tensor.

    Example:
        >>> equal(torch.tensor([1, 2]), 2)
        tensor([False,  True])
    """
    a, b = operands(x1, x2)
    return torch.eq(b, a) if isinstance(a, PY_SCALARS) else torch.eq(a, b)


def not_equal(x1, x2) -> torch.Tensor:
    """`x1 != x2` as a bool tensor.

    Example:
        >>> not_equal(torch.tensor([1, 2]), 2)
        tensor([ True, False])
    """
    a, b = operands(x1, x2)
    return torch.ne(b, a) if isinstance(a, PY_SCALARS) else torch.ne(a, b)


def greater(x1, x2) -> torch.Tensor:
    """`x1 > x2` as a bool tensor.

    Example:
        >>> greater(torch.tensor([1, 3]), 2)
        tensor([False,  True])
    """
    a, b = operands(x1, x2)
    return a > b


def greater_equal(x1, x2) -> torch.Tensor:
    """`x1 >= x2` as a bool tensor.

    Example:
        >>> greater_equal(torch.tensor([1, 2]), 2)
        tensor([False,  True])
    """
    a, b = operands(x1, x2)
    return a >= b


def less(x1, x2) -> torch.Tensor:
    """`x1 < x2` as a bool tensor.

    Example:
        >>> less(torch.tensor([1, 3]), 2)
        tensor([ True, False])
    """
    a, b = operands(x1, x2)
    return a < b


def less_equal(x1, x2) -> torch.Tensor:
    """`x1 <= x2` as a bool tensor.

    Example:
        >>> less_equal(torch.tensor([2, 3]), 2)
        tensor([ True, False])
    """
    a, b = operands(x1, x2)
    return a <= b


def logical_and(x1, x2) -> torch.Tensor:
    """Element-wise logical AND (non-zero is True).

    Example:
        >>> logical_and(torch.tensor([True, False]), True)
        tensor([ True, False])
    """
    return torch.logical_and(*tensors(x1, x2))


def logical_or(x1, x2) -> torch.Tensor:
    """Element-wise logical OR (non-zero is True).

    Example:
        >>> logical_or(torch.tensor([True, False]), False)
        tensor([ True, False])
    """
    return torch.logical_or(*tensors(x1, x2))


def logical_xor(x1, x2) -> torch.Tensor:
    """Element-wise logical XOR (non-zero is True).

    Example:
        >>> logical_xor(torch.tensor([True, False]), True)
        tensor([False,  True])
    """
    return torch.logical_xor(*tensors(x1, x2))


def logical_not(x) -> torch.Tensor:
    """Element-wise logical NOT (non-zero is True).

    Example:
        >>> logical_not(torch.tensor([True, False]))
        tensor([False,  True])
    """
    return torch.logical_not(tensor(x))


def logaddexp(x1, x2) -> torch.Tensor:
    """`log(exp(x1) + exp(x2))`, computed stably.

    Example:
        >>> logaddexp(torch.tensor([0.0]), 0.0)
        tensor([0.6931])
    """
    a, b = tensors(x1, x2)
    return torch.logaddexp(*_same_dtype(as_float(a), as_float(b)))


def hypot(x1, x2) -> torch.Tensor:
    """`sqrt(x1**2 + x2**2)`, computed without overflow.

    Example:
        >>> hypot(torch.tensor([3.0]), 4.0)
        tensor([5.])
    """
    a, b = tensors(x1, x2)
    return torch.hypot(*_same_dtype(as_float(a), as_float(b)))


def arctan2(x1, x2) -> torch.Tensor:
    """The angle of the point `(x2, x1)`, in radians, in `[-pi, pi]`.

    Example:
        >>> arctan2(torch.tensor([1.0]), 1.0)
        tensor([0.7854])
    """
    a, b = tensors(x1, x2)
    return torch.atan2(*_same_dtype(as_float(a), as_float(b)))


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Whether `|x1 - x2| <= atol + rtol * |x2|`, element-wise.

    Example:
        >>> isclose(torch.tensor([1.0, 2.0]), 1.0)
        tensor([ True, False])
    """
    a, b = _same_dtype(*tensors(x1, x2))
    return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
