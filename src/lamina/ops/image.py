"""`keras.ops.image`: resizing and colour conversions (grayscale, HSV) of image batches.

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

__all__ = ["resize", "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb"]

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

    Grayscale images (one channel) are returned as they are, as in Keras.

    Example:
        >>> rgb_to_grayscale(torch.ones(1, 2, 2, 3)).shape
        torch.Size([1, 2, 2, 1])
    """
    x = as_float(images)
    axis = _channel_axis(data_format)
    if x.dim() in (3, 4) and x.shape[axis] == 1:
        return x
    if x.dim() not in (3, 4) or x.shape[axis] != 3:
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale), in an image "
                         "of rank 3 or a batch of rank 4. Received input with shape: "
                         f"images.shape={tuple(x.shape)}")
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=x.dtype, device=x.device)
    shape = [1] * x.dim()
    shape[axis] = 3
    return (x * weights.reshape(shape)).sum(dim=axis, keepdim=True)


def _channel_axis(data_format) -> int:
    return -1 if (data_format or backend.image_data_format()) == "channels_last" else -3


def _float_images(images, name: str) -> torch.Tensor:
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                         f"images). Received input with shape: images.shape={tuple(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: "
                         f"images.dtype={str(x.dtype).replace('torch.', '')} (in {name}; "
                         f"cast with ops.cast(images, 'float32')).")
    return x


def rgb_to_hsv(images, data_format=None) -> torch.Tensor:
    """RGB to hue, saturation, value, each in [0, 1] for RGB in [0, 1] (Keras' formulas).

    Example:
        >>> rgb_to_hsv(torch.tensor([[[[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]]]))[0, 0]
        tensor([[0.0000, 1.0000, 1.0000],
                [0.5000, 1.0000, 0.5000]])
    """
    x = _float_images(images, "rgb_to_hsv")
    axis = _channel_axis(data_format)
    x = torch.where(x.abs() < torch.finfo(x.dtype).eps, torch.zeros_like(x), x)
    red, green, blue = x.unbind(dim=axis)
    value = torch.maximum(torch.maximum(red, green), blue)
    spread = value - torch.minimum(torch.minimum(red, green), blue)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(value == green, norm * (blue - red) + 2.0 / 6.0,
                      norm * (red - green) + 4.0 / 6.0)
    hue = torch.where(value == red, norm * (green - blue), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return torch.stack([hue, saturation, value], dim=axis)


def hsv_to_rgb(images, data_format=None) -> torch.Tensor:
    """Hue, saturation, value (hue taken modulo 1) back to RGB, as Keras computes it.

    Example:
        >>> hsv_to_rgb(torch.tensor([[[[0.0, 1.0, 1.0], [0.5, 1.0, 0.5]]]]))[0, 0]
        tensor([[1.0000, 0.0000, 0.0000],
                [0.0000, 0.5000, 0.5000]])
    """
    x = _float_images(images, "hsv_to_rgb")
    axis = _channel_axis(data_format)
    hue, saturation, value = x.unbind(dim=axis)
    sector = torch.remainder(hue, 1.0) * 6.0
    red = ((sector - 3.0).abs() - 1.0).clamp(0.0, 1.0)
    green = (2.0 - (sector - 2.0).abs()).clamp(0.0, 1.0)
    blue = (2.0 - (sector - 4.0).abs()).clamp(0.0, 1.0)
    grey = 1.0 - saturation
    return torch.stack([value * (grey + saturation * red), value * (grey + saturation * green),
                        value * (grey + saturation * blue)], dim=axis)
