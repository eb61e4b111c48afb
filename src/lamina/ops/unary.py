"""Element-wise functions of one tensor: `sqrt`, `exp`, `log`, trigonometry, rounding, NaN tests.

Integer inputs of transcendental functions are computed in floatx ('float32'), as in Keras.

Example:
    >>> from lamina import ops
    >>> ops.sqrt(torch.tensor([4, 9]))
    tensor([2., 3.])
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.ops.core import tensor

__all__ = [
    "abs", "absolute", "square", "sqrt", "exp", "exp2", "expm1", "log", "log1p", "log2",
    "log10", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "reciprocal", "sign", "floor", "ceil", "round", "trunc",
    "isnan", "isinf", "isfinite", "nan_to_num",
]


def abs(x) -> torch.Tensor:
    """Absolute value `|x|` (booleans are returned as they are).

    Example:
        >>> abs(torch.tensor([-1.5, 2.0]))
        tensor([1.5000, 2.0000])
    """
    x = tensor(x)
    return x if x.dtype == torch.bool else torch.abs(x)


absolute = abs


def square(x) -> torch.Tensor:
    """`x * x` (booleans become int32).

    Example:
        >>> square(torch.tensor([-2.0, 3.0]))
        tensor([4., 9.])
    """
    x = tensor(x)
    return torch.square(x.to(torch.int32) if x.dtype == torch.bool else x)


def as_float(x) -> torch.Tensor:
    """`x` as a tensor, with integers and booleans cast to floatx (Keras' rule for math)."""
    x = tensor(x)
    if x.is_floating_point():
        return x
    return x.to(backend.torch_dtype(backend.floatx()))


def sqrt(x) -> torch.Tensor:
    """Square root (integers give float32).

    Example:
        >>> sqrt(torch.tensor([4.0, 9.0]))
        tensor([2., 3.])
    """
    return torch.sqrt(as_float(x))


def exp(x) -> torch.Tensor:
    """`e ** x` (integers give float32).

    Example:
        >>> exp(torch.tensor([0.0]))
        tensor([1.])
    """
    return torch.exp(as_float(x))


def exp2(x) -> torch.Tensor:
    """`2 ** x` (integers give float32).

    Example:
        >>> exp2(torch.tensor([3.0]))
        tensor([8.])
    """
    return torch.exp2(as_float(x))


def expm1(x) -> torch.Tensor:
    """`exp(x) - 1`, accurate near 0.

    Example:
        >>> expm1(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.expm1(as_float(x))


def log(x) -> torch.Tensor:
    """Natural logarithm (integers give float32).

    Example:
        >>> log(torch.tensor([1.0]))
        tensor([0.])
    """
    return torch.log(as_float(x))


def log1p(x) -> torch.Tensor:
    """`log(1 + x)`, accurate near 0.

    Example:
        >>> log1p(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.log1p(as_float(x))


def log2(x) -> torch.Tensor:
    """Base-2 logarithm.

    Example:
        >>> log2(torch.tensor([8.0]))
        tensor([3.])
    """
    return torch.log2(as_float(x))


def log10(x) -> torch.Tensor:
    """Base-10 logarithm.

    Example:
        >>> log10(torch.tensor([100.0]))
        tensor([2.])
    """
    return torch.log10(as_float(x))


def _unary(torch_fn, name: str, example: str):
    def op(x) -> torch.Tensor:
        return torch_fn(as_float(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Element-wise `{name}` (integers give float32).\n\n"
                  f"    Example:\n        >>> {example}\n")
    return op


sin = _unary(torch.sin, "sin", "sin(torch.tensor([0.0]))\n        tensor([0.])")
cos = _unary(torch.cos, "cos", "cos(torch.tensor([0.0]))\n        tensor([1.])")
tan = _unary(torch.tan, "tan", "tan(torch.tensor([0.0]))\n        tensor([0.])")
arcsin = _unary(torch.asin, "arcsin", "arcsin(torch.tensor([0.0]))\n        tensor([0.])")
arccos = _unary(torch.acos, "arccos", "arccos(torch.tensor([1.0]))\n        tensor([0.])")
arctan = _unary(torch.atan, "arctan", "arctan(torch.tensor([0.0]))\n        tensor([0.])")
sinh = _unary(torch.sinh, "sinh", "sinh(torch.tensor([0.0]))\n        tensor([0.])")
cosh = _unary(torch.cosh, "cosh", "cosh(torch.tensor([0.0]))\n        tensor([1.])")
tanh = _unary(torch.tanh, "tanh", "tanh(torch.tensor([0.0]))\n        tensor([0.])")
arcsinh = _unary(torch.asinh, "arcsinh", "arcsinh(torch.tensor([0.0]))\n        tensor([0.])")
arccosh = _unary(torch.acosh, "arccosh", "arccosh(torch.tensor([1.0]))\n        tensor([0.])")
arctanh = _unary(torch.atanh, "arctanh", "arctanh(torch.tensor([0.0]))\n        tensor([0.])")
reciprocal = _unary(torch.reciprocal, "reciprocal",
                    "reciprocal(torch.tensor([4.0]))\n        tensor([0.2500])")


def sign(x) -> torch.Tensor:
    """-1, 0 or 1 according to the sign of `x`.

    Example:
        >>> sign(torch.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """
    return torch.sign(tensor(x))


def _rounded(torch_fn, x) -> torch.Tensor:
    # Keras returns floats from floor/ceil even for integer inputs.
    return torch_fn(as_float(x.to(torch.uint8) if x.dtype == torch.bool else x))


def floor(x) -> torch.Tensor:
    """Largest integer not above `x`, as a float tensor.

    Example:
        >>> floor(torch.tensor([-1.5, 1.5]))
        tensor([-2.,  1.])
    """
    return _rounded(torch.floor, tensor(x))


def ceil(x) -> torch.Tensor:
    """Smallest integer not below `x`, as a float tensor.

    Example:
        >>> ceil(torch.tensor([-1.5, 1.5]))
        tensor([-1.,  2.])
    """
    return _rounded(torch.ceil, tensor(x))


def round(x, decimals: int = 0) -> torch.Tensor:
    """Rounds half to even (as NumPy does) to `decimals` places; integers keep their dtype.

    Example:
        >>> round(torch.tensor([0.5, 1.5, 2.567]), decimals=0)
        tensor([0., 2., 3.])
    """
    x = tensor(x)
    if x.is_floating_point():
        return torch.round(x, decimals=decimals)
    floats = x.to(backend.torch_dtype(backend.floatx()))
    return torch.round(floats, decimals=decimals).to(x.dtype)


def trunc(x) -> torch.Tensor:
    """Rounds towards zero.

    Example:
        >>> trunc(torch.tensor([-1.7, 1.7]))
        tensor([-1.,  1.])
    """
    x = tensor(x)
    return x if x.dtype == torch.bool else torch.trunc(x)


def isnan(x) -> torch.Tensor:
    """Whether each element is NaN.

    Example:
        >>> isnan(torch.tensor([float("nan"), 1.0]))
        tensor([ True, False])
    """
    return torch.isnan(tensor(x))


def isinf(x) -> torch.Tensor:
    """Whether each element is +inf or -inf.

    Example:
        >>> isinf(torch.tensor([float("inf"), 1.0]))
        tensor([ True, False])
    """
    return torch.isinf(tensor(x))


def isfinite(x) -> torch.Tensor:
    """Whether each element is neither NaN nor infinite.

    Example:
        >>> isfinite(torch.tensor([float("inf"), 1.0]))
        tensor([False,  True])
    """
    return torch.isfinite(tensor(x))


def nan_to_num(x, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> torch.Tensor:
    """Replaces NaN with `nan` and infinities with `posinf` / `neginf` (default: dtype limits).

    Example:
        >>> nan_to_num(torch.tensor([float("nan"), 1.0]))
        tensor([0., 1.])
    """
    return torch.nan_to_num(tensor(x), nan=nan, posinf=posinf, neginf=neginf)
