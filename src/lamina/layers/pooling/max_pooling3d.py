"""MaxPooling3D: max pooling over volumes (batch, depth, height, width, channels)."""
from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling

__all__ = ["MaxPooling3D"]


class MaxPooling3D(BasePooling):
    """Downsamples by the maximum of each window over 3 spatial axises.

    Args:
        pool_size: int or tuple of 3 ints, the window (default (2, 2, 2)).
        strides: int or tuple of 3 ints; None (default) means `pool_size`.
        padding: 'valid' or 'same' (output size ceil(input / stride), the odd padding cell at
            the end); case-insensitive.
        data_format: 'channels_last' (batch, d, h, w, channels) (default) or 'channels_first'.

    Example:
        >>> MaxPooling3D()(np.zeros((1, 4, 6, 8, 3), "float32")).shape
        torch.Size([1, 2, 3, 4, 3])
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)
