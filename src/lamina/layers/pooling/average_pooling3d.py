"""AveragePooling3D: average pooling over volumes (batch, depth, height, width, channels)."""
from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling

__all__ = ["AveragePooling3D"]


class AveragePooling3D(BasePooling):
    """Downsamples by the mean of each window over 3 spatial axises.

    Args:
        pool_size: int or tuple of 3 ints, the window (default (2, 2, 2), as in TF-2 Keras; Keras 3 makes it required).
        strides: int or tuple of 3 ints; None (default) means `pool_size`.
        padding: 'valid' or 'same' (output size ceil(input / stride), the odd padding cell at
            the end; the mean counts only real cells, not padding); case-insensitive.
        data_format: 'channels_last' (batch, d, h, w, channels) (default) or 'channels_first'.

    Example:
        >>> AveragePooling3D(2, padding="same")(np.ones((1, 3, 4, 5, 2), "float32")).shape
        torch.Size([1, 2, 2, 3, 2])
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)
