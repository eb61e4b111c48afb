"""`keras.ops.image`: resizing and colour conversion of channels-last image batches.

Example:
    >>> from lamina import ops
    >>> ops.image.resize(torch.ones(1, 4, 4, 3), (2, 2)).shape
    torch.Size([1, 2, 2, 3])
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.ops.core import tensor
from lamina.ops.unary import as_float

__all__ = ["resize", "rgb_to_grayscale"]

_MODES = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic", "area": "area"}


def resize(images, size, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0, data_format=None):
    """Resizes a batch `(N, H, W, C)` (or one image `(H, W, C)`) to `size = (height, width)`.

    Example:
        >>> resize(torch.arange(4.0).reshape(1, 2, 2, 1), (4, 4))[0, :, 0, 0]
        tensor([0.0000, 0.5000, 1.5000, 2.0000])
    """
    if interpolation not in _MODES:
        raise ValueError(f"Argument `interpolation` must be one of {sorted(_MODES)}. "
                         f"Received: interpolation={interpolation!r}")
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise ValueError("lamina.ops.image.resize does not support crop_to_aspect_ratio or "
                         "pad_to_aspect_ratio; use keras.layers.Resizing for those.")
    x = tensor(images)
    single = x.dim() == 3
    batch = x.unsqueeze(0) if single else x
    channels_last = (data_format or backend.image_data_format()) == "channels_last"
    nchw = batch.permute(0, 3, 1, 2) if channels_last else batch
    mode = _MODES[interpolation]
    options = {} if mode in ("nearest", "area") else {"align_corners": False,
                                                       "antialias": antialias}
    out = F.interpolate(as_float(nchw), size=tuple(size), mode=mode, **options)
    out = out.permute(0, 2, 3, 1) if channels_last else out
    return out[0] if single else out


def rgb_to_grayscale(images, data_format=None) -> torch.Tensor:
    """Luminance `0.2989 R + 0.5870 G + 0.1140 B`, keeping a channel axis of size 1.

    Example:
        >>> rgb_to_grayscale(torch.ones(1, 2, 2, 3)).shape
        torch.Size([1, 2, 2, 1])
    """
    x = as_float(images)
    axis = -1 if (data_format or backend.image_data_format()) == "channels_last" else -3
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=x.dtype, device=x.device)
    shape = [1] * x.dim()
    shape[axis] = 3
    return (x * weights.reshape(shape)).sum(dim=axis, keepdim=True)
