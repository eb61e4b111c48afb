"""Complex numbers: `real`, `imag`, `conj`, `angle`, `polar`, `view_as_complex`, `view_as_real`.

These take and give torch's complex tensors (complex64 from float32 parts), as Keras' do; the
Fourier ops (`ops.fft`, ...) keep Keras' `(real, imag)` pairs, and `view_as_complex` /
`view_as_real` convert between a trailing axis of 2 and a complex tensor.

Example:
    >>> from lamina import ops
    >>> z = ops.view_as_complex(torch.tensor([[3.0, 4.0]]))
    >>> ops.real(z), ops.imag(z), ops.abs(z)
    (tensor([3.]), tensor([4.]), tensor([5.]))
"""
from __future__ import annotations

import torch

from lamina.ops.core import tensor, tensors
from lamina.ops.unary import as_float

__all__ = ["angle", "conj", "conjugate", "imag", "polar", "real", "view_as_complex",
           "view_as_real"]


def real(x) -> torch.Tensor:
    """The real part of `x` (a real `x` as it is).

    Example:
        >>> real(torch.tensor([1.0 + 2.0j]))
        tensor([1.])
    """
    x = tensor(x)
    return torch.real(x) if x.is_complex() else x


def imag(x) -> torch.Tensor:
    """The imaginary part of `x` (zeros of its dtype for a real `x`).

    Example:
        >>> imag(torch.tensor([1.0 + 2.0j]))
        tensor([2.])
    """
    x = tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def conjugate(x) -> torch.Tensor:
    """The complex conjugate: the sign of the imaginary part flipped (a real `x` unchanged).

    Example:
        >>> conjugate(torch.tensor([1.0 + 2.0j]))
        tensor([1.-2.j])
    """
    x = tensor(x)
    return torch.conj(x).resolve_conj() if x.is_complex() else x


conj = conjugate


def angle(x) -> torch.Tensor:
    """The angle (argument) of each element in radians; integers compute in float32.

    Example:
        >>> angle(torch.tensor([1.0j, -1.0]))
        tensor([1.5708, 3.1416])
    """
    x = tensor(x)
    return torch.angle(x if x.is_complex() else as_float(x))


def polar(abs_, angle) -> torch.Tensor:
    """The complex numbers `abs_ * (cos(angle) + 1j * sin(angle))`.

    Args:
        abs_: The magnitudes.
        angle: The angles in radians.

    Returns:
        A complex tensor of the broadcast shape (complex64, complex128 from float64).

    Example:
        >>> polar(torch.tensor([2.0]), torch.tensor([0.0]))
        tensor([2.+0.j])
    """
    magnitude, phase = (as_float(t) for t in tensors(abs_, angle))
    # At least float32: torch's complex32 (from float16) is experimental.
    dtype = torch.promote_types(torch.promote_types(magnitude.dtype, phase.dtype), torch.float32)
    magnitude, phase = magnitude.to(dtype), phase.to(dtype)
    return torch.complex(magnitude * torch.cos(phase), magnitude * torch.sin(phase))


def view_as_complex(x) -> torch.Tensor:
    """A complex64 tensor from a real one whose last axis (of size 2) holds (real, imag).

    Raises:
        ValueError: when the last axis is not of size 2.

    Example:
        >>> view_as_complex(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([1.+2.j, 3.+4.j])
    """
    x = tensor(x)
    if x.dim() < 1 or x.shape[-1] != 2:
        raise ValueError("Last dimension of input must be size 2 (real and imaginary). "
                         f"Received shape: {tuple(x.shape)}")
    parts = x.to(torch.float32)
    return torch.complex(parts[..., 0], parts[..., 1])


def view_as_real(x) -> torch.Tensor:
    """A real tensor with a new last axis of size 2 holding (real, imag) of `x`.

    Example:
        >>> view_as_real(torch.tensor([1.0 + 2.0j, 3.0 + 4.0j]))
        tensor([[1., 2.],
                [3., 4.]])
    """
    x = tensor(x)
    return torch.stack((real(x), imag(x)), dim=-1)
