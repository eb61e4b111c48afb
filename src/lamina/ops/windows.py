"""Window functions: `bartlett`, `blackman`, `hamming`, `hanning`, `kaiser` (NumPy's, symmetric).

Each takes the window length (a Python int or a 0-d tensor, read on the host) and gives a 1-D
floatx tensor on lamina's device, as Keras does.

Example:
    >>> from lamina import ops
    >>> ops.hanning(5)
    tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
"""
from __future__ import annotations

import torch

from lamina import backend

__all__ = ["bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _length(x, name: str) -> int:
    value = x.item() if isinstance(x, torch.Tensor) else x
    if isinstance(value, bool) or int(value) != value:
        raise TypeError(f"`{name}` expects an integer window length `x`. Received: x={x!r}")
    return int(value)


def _window(function, x, name: str, **kwargs) -> torch.Tensor:
    return function(_length(x, name), sym=True, **kwargs,
                    dtype=backend.torch_dtype(backend.floatx()),
                    device=backend.get_device())


def bartlett(x) -> torch.Tensor:
    """The Bartlett (triangular) window of length `x`.

    Example:
        >>> bartlett(5)
        tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    return _window(torch.signal.windows.bartlett, x, "bartlett")


def blackman(x) -> torch.Tensor:
    """The Blackman window of length `x`: `0.42 - 0.5 cos(2 pi n / (x - 1)) + 0.08 cos(4 ...)`.

    Example:
        >>> blackman(5).abs().round(decimals=2)
        tensor([0.0000, 0.3400, 1.0000, 0.3400, 0.0000])
    """
    return _window(torch.signal.windows.blackman, x, "blackman")


def hamming(x) -> torch.Tensor:
    """The Hamming window of length `x`: `0.54 - 0.46 cos(2 pi n / (x - 1))`.

    Example:
        >>> hamming(5)
        tensor([0.0800, 0.5400, 1.0000, 0.5400, 0.0800])
    """
    return _window(torch.signal.windows.hamming, x, "hamming")


def hanning(x) -> torch.Tensor:
    """The Hann window of length `x`: `0.5 - 0.5 cos(2 pi n / (x - 1))`.

    Example:
        >>> hanning(3)
        tensor([0., 1., 0.])
    """
    return _window(torch.signal.windows.hann, x, "hanning")


def kaiser(x, beta) -> torch.Tensor:
    """The Kaiser window of length `x` with shape parameter `beta`.

    Example:
        >>> kaiser(3, beta=0.0)
        tensor([1., 1., 1.])
    """
    return _window(torch.signal.windows.kaiser, x, "kaiser", beta=float(beta))
