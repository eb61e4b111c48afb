"""Moving pixels between space and depth: `depth_to_space`, `space_to_depth`, `unfold`, `fold`.

`depth_to_space` / `space_to_depth` take a `data_format` (channels-last by default, as Keras'
ops do); `unfold` (im2col) and `fold` (col2im) work on channels-first images, as Keras' and
torch's do.

Example:
    >>> from lamina import ops
    >>> ops.depth_to_space(torch.zeros(1, 2, 2, 12), block_size=2).shape
    torch.Size([1, 4, 4, 3])
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.ops.core import tensor
from lamina.utils.conv_utils import standardize_data_format

__all__ = ["depth_to_space", "fold", "space_to_depth", "unfold"]


def _checked(x, block_size: int, data_format, name: str, divided: str):
    """`x` and its data format, once the axes that `block_size` divides are checked."""
    if block_size < 2:
        raise ValueError(f"`block_size` must be at least 2. Received: block_size={block_size}")
    x = tensor(x)
    if x.dim() != 4:
        raise ValueError(f"Input must be a 4D tensor. Received: input.shape={tuple(x.shape)}")
    data_format = standardize_data_format(data_format)
    spatial = (1, 2) if data_format == "channels_last" else (2, 3)
    channels = 3 if data_format == "channels_last" else 1
    sizes, step = ((x.shape[channels],), block_size ** 2) if divided == "channels" else (
        tuple(x.shape[a] for a in spatial), block_size)
    if any(size % step for size in sizes):
        raise ValueError(f"`{name}` needs the {divided} of `x` divisible by {step} "
                         f"(block_size={block_size}). Received: x.shape={tuple(x.shape)} "
                         f"({data_format}).")
    return x, data_format


def depth_to_space(x, block_size: int, data_format: str = "channels_last") -> torch.Tensor:
    """Spreads blocks of channels over `block_size x block_size` pixels (pixel shuffle).

    `(N, H, W, C * r * r)` becomes `(N, H * r, W * r, C)` (channels-first likewise), in
    TensorFlow's order.

    Example:
        >>> depth_to_space(torch.arange(4).reshape(1, 1, 1, 4), 2)[0, :, :, 0]
        tensor([[0, 1],
                [2, 3]])
    """
    x, data_format = _checked(x, block_size, data_format, "depth_to_space", "channels")
    r = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        blocks = x.reshape(n, h, w, r, r, c // (r * r)).permute(0, 1, 3, 2, 4, 5)
        return blocks.reshape(n, h * r, w * r, c // (r * r))
    n, c, h, w = x.shape
    blocks = x.reshape(n, c // (r * r), r, r, h, w).permute(0, 1, 4, 2, 5, 3)
    return blocks.reshape(n, c // (r * r), h * r, w * r)


def space_to_depth(x, block_size: int, data_format: str = "channels_last") -> torch.Tensor:
    """Stacks each `block_size x block_size` block of pixels into channels (the inverse).

    Example:
        >>> space_to_depth(torch.arange(4).reshape(1, 2, 2, 1), 2)
        tensor([[[[0, 1, 2, 3]]]])
    """
    x, data_format = _checked(x, block_size, data_format, "space_to_depth", "height and width")
    r = block_size
    if data_format == "channels_last":
        n, h, w, c = x.shape
        blocks = x.reshape(n, h // r, r, w // r, r, c).permute(0, 1, 3, 2, 4, 5)
        return blocks.reshape(n, h // r, w // r, c * r * r)
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // r, r, w // r, r).permute(0, 1, 3, 5, 2, 4)
    return blocks.reshape(n, c * r * r, h // r, w // r)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1) -> torch.Tensor:
    """The sliding blocks of a channels-first image `(N, C, H, W)`, flattened (im2col).

    Returns:
        A tensor `(N, C * kH * kW, L)`, `L` the number of blocks.

    Example:
        >>> unfold(torch.ones(1, 2, 4, 4), kernel_size=2, stride=2).shape
        torch.Size([1, 8, 4])
    """
    x = tensor(x)
    if x.dim() != 4:
        raise ValueError(f"Input must be a 4D tensor. Received: input.shape={tuple(x.shape)}")
    return F.unfold(x, kernel_size, dilation=dilation, padding=padding, stride=stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1) -> torch.Tensor:
    """Sums flattened blocks `(N, C * kH * kW, L)` back into an image `(N, C, oH, oW)` (col2im).

    Example:
        >>> blocks = unfold(torch.ones(1, 2, 4, 4), kernel_size=2, stride=2)
        >>> fold(blocks, output_size=(4, 4), kernel_size=2, stride=2).shape
        torch.Size([1, 2, 4, 4])
    """
    x = tensor(x)
    if x.dim() != 3:
        raise ValueError(f"Input must be a 3D tensor. Received: input.shape={tuple(x.shape)}")
    return F.fold(x, output_size, kernel_size, dilation=dilation, padding=padding, stride=stride)
