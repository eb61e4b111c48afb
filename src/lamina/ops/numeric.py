"""More element-wise math with Keras' names: `fmod`, `heaviside`, `cbrt`, `deg2rad`, `sinc`, ...

Integer inputs of transcendental functions compute in floatx, as the rest of `lamina.ops`.

Example:
    >>> from lamina import ops
    >>> ops.cbrt(torch.tensor([8.0, -27.0]))
    tensor([ 2., -3.])
"""
from __future__ import annotations

import math  # noqa: F401 - the examples use math.pi and math.inf

import torch

from lamina import backend
from lamina.ops.core import first_device, operands, tensor, tensors
from lamina.ops.unary import as_float

__all__ = [
    "allclose",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "cbrt",
    "deg2rad",
    "erfc",
    "fabs",
    "fmax",
    "fmin",
    "fmod",
    "gcd",
    "heaviside",
    "i0",
    "isneginf",
    "isposinf",
    "isreal",
    "lcm",
    "ldexp",
    "left_shift",
    "logaddexp2",
    "nextafter",
    "rad2deg",
    "right_shift",
    "signbit",
    "sinc",
    "trapezoid",
]


def fmod(x1, x2) -> torch.Tensor:
    """The remainder of `x1 / x2` with the sign of `x1` (C's fmod; `mod` follows `x2`).

    Example:
        >>> fmod(torch.tensor([-3.0, 3.0]), 2.0)
        tensor([-1.,  1.])
    """
    a, b = operands(x1, x2)
    return torch.fmod(a, b)


def heaviside(x1, x2) -> torch.Tensor:
    """0 where `x1 < 0`, 1 where `x1 > 0`, `x2` where `x1 == 0`.

    Example:
        >>> heaviside(torch.tensor([-1.0, 0.0, 2.0]), 0.5)
        tensor([0.0000, 0.5000, 1.0000])
    """
    a, b = tensors(x1, x2)
    a = as_float(a)
    return torch.heaviside(a, b.to(a.dtype))


def logaddexp2(x1, x2) -> torch.Tensor:
    """`log2(2**x1 + 2**x2)`, computed without overflow.

    Example:
        >>> logaddexp2(torch.tensor([1.0]), torch.tensor([1.0]))
        tensor([2.])
    """
    a, b = tensors(x1, x2)
    return torch.logaddexp2(as_float(a), as_float(b))


def fmax(x1, x2) -> torch.Tensor:
    """Element-wise maximum that ignores NaN (NaN only where both are NaN).

    Example:
        >>> fmax(torch.tensor([1.0, float("nan")]), torch.tensor([float("nan"), 2.0]))
        tensor([1., 2.])
    """
    a, b = tensors(x1, x2)
    return torch.fmax(a, b)


def fmin(x1, x2) -> torch.Tensor:
    """Element-wise minimum that ignores NaN.

    Example:
        >>> fmin(torch.tensor([1.0, float("nan")]), torch.tensor([float("nan"), 2.0]))
        tensor([1., 2.])
    """
    a, b = tensors(x1, x2)
    return torch.fmin(a, b)


def gcd(x1, x2) -> torch.Tensor:
    """Greatest common divisor of integers.

    Example:
        >>> gcd(torch.tensor([12, 18]), torch.tensor([8, 12]))
        tensor([4, 6])
    """
    a, b = tensors(x1, x2)
    return torch.gcd(a, b)


def lcm(x1, x2) -> torch.Tensor:
    """Least common multiple of integers.

    Example:
        >>> lcm(torch.tensor([4, 6]), torch.tensor([6, 8]))
        tensor([12, 24])
    """
    a, b = tensors(x1, x2)
    return torch.lcm(a, b)


def ldexp(x1, x2) -> torch.Tensor:
    """`x1 * 2**x2`.

    Example:
        >>> ldexp(torch.tensor([1.5]), torch.tensor([3]))
        tensor([12.])
    """
    a, b = tensors(x1, x2)
    return torch.ldexp(as_float(a), b)


def cbrt(x) -> torch.Tensor:
    """Cube root (negative inputs give negative roots).

    Example:
        >>> cbrt(torch.tensor([8.0, -27.0]))
        tensor([ 2., -3.])
    """
    x = as_float(x)
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def deg2rad(x) -> torch.Tensor:
    """Degrees to radians.

    Example:
        >>> deg2rad(torch.tensor([180.0]))
        tensor([3.1416])
    """
    return torch.deg2rad(as_float(x))


def rad2deg(x) -> torch.Tensor:
    """Radians to degrees.

    Example:
        >>> rad2deg(torch.tensor([math.pi]))
        tensor([180.])
    """
    return torch.rad2deg(as_float(x))


def signbit(x) -> torch.Tensor:
    """Whether the sign bit is set (True for -0.0 too).

    Example:
        >>> signbit(torch.tensor([-1.0, 0.0, -0.0]))
        tensor([ True, False,  True])
    """
    x = tensor(x)
    return torch.signbit(x) if x.dtype != torch.bool else torch.zeros_like(x)


def sinc(x) -> torch.Tensor:
    """The normalized sinc, `sin(pi x) / (pi x)` (1 at 0).

    Example:
        >>> sinc(torch.tensor([0.0, 0.5]))
        tensor([1.0000, 0.6366])
    """
    return torch.sinc(as_float(x))


def erfc(x) -> torch.Tensor:
    """The complementary error function `1 - erf(x)`, accurate for large `x`.

    Example:
        >>> erfc(torch.tensor([0.0]))
        tensor([1.])
    """
    return torch.special.erfc(as_float(x))


def isneginf(x) -> torch.Tensor:
    """Whether each element is negative infinity.

    Example:
        >>> isneginf(torch.tensor([-math.inf, math.inf, 1.0]))
        tensor([ True, False, False])
    """
    return torch.isneginf(as_float(x))


def isposinf(x) -> torch.Tensor:
    """Whether each element is positive infinity.

    Example:
        >>> isposinf(torch.tensor([-math.inf, math.inf, 1.0]))
        tensor([False,  True, False])
    """
    return torch.isposinf(as_float(x))


def isreal(x) -> torch.Tensor:
    """Whether each element has no imaginary part (all True for real dtypes).

    Example:
        >>> isreal(torch.tensor([1.0, 2.0]))
        tensor([True, True])
    """
    return torch.isreal(tensor(x))


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
    """Whether all elements are close (`|x1 - x2| <= atol + rtol * |x2|`), a 0-d bool tensor.

    Example:
        >>> allclose(torch.tensor([1.0]), torch.tensor([1.0 + 1e-9]))
        tensor(True)
    """
    a, b = tensors(x1, x2)
    a, b = as_float(a), as_float(b)
    close = torch.isclose(a, b.to(a.dtype), rtol=rtol, atol=atol, equal_nan=equal_nan)
    return close.all()


def trapezoid(y, x=None, dx: float = 1.0, axis: int = -1) -> torch.Tensor:
    """The integral of `y` by the trapezoidal rule, over sample points `x` or spacing `dx`.

    Example:
        >>> trapezoid(torch.tensor([1.0, 2.0, 3.0]))
        tensor(4.)
    """
    y = as_float(y)
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, as_float(tensor(x, y.device)).to(y.dtype), dim=axis)


def bitwise_and(x, y) -> torch.Tensor:
    """Bitwise AND of integers (logical AND of booleans).

    Example:
        >>> bitwise_and(torch.tensor([12]), torch.tensor([10]))
        tensor([8])
    """
    a, b = operands(x, y)
    return torch.bitwise_and(a, b)


def bitwise_or(x, y) -> torch.Tensor:
    """Bitwise OR.

    Example:
        >>> bitwise_or(torch.tensor([12]), torch.tensor([10]))
        tensor([14])
    """
    a, b = operands(x, y)
    return torch.bitwise_or(a, b)


def bitwise_xor(x, y) -> torch.Tensor:
    """Bitwise XOR.

    Example:
        >>> bitwise_xor(torch.tensor([12]), torch.tensor([10]))
        tensor([6])
    """
    a, b = operands(x, y)
    return torch.bitwise_xor(a, b)


def bitwise_invert(x) -> torch.Tensor:
    """Bitwise NOT (`~x`).

    Example:
        >>> bitwise_invert(torch.tensor([0, 1]))
        tensor([-1, -2])
    """
    return torch.bitwise_not(tensor(x))


bitwise_not = bitwise_invert


def bitwise_left_shift(x, y) -> torch.Tensor:
    """`x << y`.

    Example:
        >>> bitwise_left_shift(torch.tensor([1, 3]), 2)
        tensor([ 4, 12])
    """
    a, b = operands(x, y)
    return torch.bitwise_left_shift(a, b)


def bitwise_right_shift(x, y) -> torch.Tensor:
    """`x >> y`.

    Example:
        >>> bitwise_right_shift(torch.tensor([8, 12]), 2)
        tensor([2, 3])
    """
    a, b = operands(x, y)
    return torch.bitwise_right_shift(a, b)


left_shift = bitwise_left_shift
right_shift = bitwise_right_shift


def fabs(x) -> torch.Tensor:
    """Absolute value as a float (integers and booleans give floatx); complex is refused.

    Example:
        >>> fabs(torch.tensor([-1, 2]))
        tensor([1., 2.])
    """
    x = tensor(x)
    if x.is_complex():
        raise TypeError(f"fabs does not support complex inputs. Received: x.dtype={x.dtype}")
    return torch.abs(as_float(x))


def i0(x) -> torch.Tensor:
    """The modified Bessel function of the first kind, order 0 (int64 and float64 in float64).

    Example:
        >>> i0(torch.tensor([0.0, 1.0]))
        tensor([1.0000, 1.2661])
    """
    x = tensor(x)
    if x.dtype in (torch.int64, torch.float64):
        return torch.i0(x.to(torch.float64))
    return torch.i0(x if x.dtype in (torch.float16, torch.bfloat16) else as_float(x))


def nextafter(x1, x2) -> torch.Tensor:
    """The next float after `x1` towards `x2`, in the promoted float dtype of the two.

    Example:
        >>> nextafter(torch.tensor([1.0, 1.0]), torch.tensor([2.0, 0.0])) - 1.0
        tensor([ 1.1921e-07, -5.9605e-08])
    """
    a, b = operands(x1, x2)
    # A Python scalar is weakly typed: float16 stays float16 next to 2.0, as in Keras.
    dtype = torch.result_type(a, b)
    if not dtype.is_floating_point:
        dtype = backend.torch_dtype(backend.floatx())
    a, b = (torch.as_tensor(v, dtype=dtype, device=first_device((a, b))) for v in (a, b))
    return torch.nextafter(a, b)
