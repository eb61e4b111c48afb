"""MaxPooling2D: max pooling over images (batch, height, width, channels)."""
from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling

__all__ = ["MaxPooling2D"]


class MaxPooling2D(BasePooling):
    """Downsamples by the maximum of each window over 2 spatial axises.

    Args:
        pool_size: int or tuple of 2 ints, the window (default (2, 2)).
        strides: int or tuple of 2 ints; None (default) means `pool_size`.
        padding: 'valid' or 'same' (output size ceil(input / stride), the odd padding cell at
            the end); case-insensitive.
        data_format: 'channels_last' (batch, h, w, channels) (default) or 'channels_first'.

    Example:
        >>> MaxPooling2D()(np.zeros((2, 28, 28, 32), "float32")).shape
        torch.Size([2, 14, 14, 32])
        >>> MaxPooling2D(padding="same")(np.zeros((2, 7, 7, 3), "float32")).shape
        torch.Size([2, 4, 4, 3])
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)
