"""MaxPooling1D: max pooling over steps (batch, steps, channels)."""
from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling

__all__ = ["MaxPooling1D"]


class MaxPooling1D(BasePooling):
    """Downsamples by the maximum of each window over 1 spatial axis.

    Args:
        pool_size: int or tuple of 1 ints, the window (default 2).
        strides: int or tuple of 1 ints; None (default) means `pool_size`.
        padding: 'valid' or 'same' (output size ceil(input / stride), the odd padding cell at
            the end); case-insensitive.
        data_format: 'channels_last' (batch, steps, channels) (default) or 'channels_first'.

    Example:
        >>> MaxPooling1D()(torch.tensor([[[1.0], [3.0], [2.0], [5.0]]])).flatten()
        tensor([3., 5.])
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="max",
                         padding=padding, data_format=data_format, name=name, **kwargs)
