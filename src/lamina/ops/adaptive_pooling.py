"""`keras.ops.adaptive_average_pool` / `adaptive_max_pool` (also under `keras.ops.nn`).

Adaptive pooling picks its windows from the output size: output cell `i` of an axis of
length `L` pooled to `n` covers `[floor(i * L / n), ceil((i + 1) * L / n))`, the windows
torch's `F.adaptive_*_pool` use and Keras computes on every backend. Inputs are in Keras'
layout, `(batch, *spatial, channels)` (or channels-first), with 1 to 3 spatial axes.

Example:
    >>> from lamina import ops
    >>> ops.adaptive_average_pool(torch.arange(6.0).reshape(1, 6, 1), 3)[0, :, 0]
    tensor([0.5000, 2.5000, 4.5000])
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.ops.core import tensor
from lamina.ops.unary import as_float
from lamina.utils.conv_utils import standardize_data_format, standardize_tuple

__all__ = ["adaptive_average_pool", "adaptive_max_pool"]

_AVERAGE = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
_MAX = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}


def adaptive_average_pool(inputs, output_size, data_format=None) -> torch.Tensor:
    """The mean over adaptive windows, pooling the spatial axes to `output_size`.

    Args:
        inputs: a 3-D, 4-D or 5-D tensor, `(batch, *spatial, channels)` (channels_last) or
            `(batch, channels, *spatial)`.
        output_size: an int (every spatial axis) or one int per spatial axis.
        data_format: 'channels_last' or 'channels_first' (default: the backend's setting).

    Returns:
        The pooled tensor, `(batch, *output_size, channels)` for channels_last.

    Example:
        >>> adaptive_average_pool(torch.ones(2, 64, 64, 3), (32, 32)).shape
        torch.Size([2, 32, 32, 3])
    """
    return _adaptive_pool(_AVERAGE, "average", inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None) -> torch.Tensor:
    """The max over adaptive windows, pooling the spatial axes to `output_size`.

    Args:
        inputs: a 3-D, 4-D or 5-D tensor, `(batch, *spatial, channels)` (channels_last) or
            `(batch, channels, *spatial)`.
        output_size: an int (every spatial axis) or one int per spatial axis.
        data_format: 'channels_last' or 'channels_first' (default: the backend's setting).

    Returns:
        The pooled tensor, `(batch, *output_size, channels)` for channels_last.

    Example:
        >>> adaptive_max_pool(torch.ones(2, 100, 80, 3), 7).shape
        torch.Size([2, 7, 7, 3])
    """
    return _adaptive_pool(_MAX, "max", inputs, output_size, data_format)


def _adaptive_pool(pools: dict, kind: str, inputs, output_size, data_format) -> torch.Tensor:
    x = as_float(tensor(inputs))
    rank = x.dim() - 2
    if rank not in pools:
        raise ValueError(f"Inputs to adaptive {kind} pooling must have ndim=3, 4 or 5, "
                         f"Received input shape: {tuple(x.shape)}.")
    size = standardize_tuple(output_size, rank, "output_size")
    channels_last = standardize_data_format(data_format) == "channels_last"
    if channels_last:
        x = torch.movedim(x, -1, 1)
    outputs = pools[rank](x, size)
    return torch.movedim(outputs, 1, -1) if channels_last else outputs
