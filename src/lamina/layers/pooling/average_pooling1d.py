"""AveragePooling1D: average pooling over steps (batch, steps, channels)."""
from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling

__all__ = ["AveragePooling1D"]


class AveragePooling1D(BasePooling):
    """Downsamples by the mean of each window over 1 spatial axis.

    Args:
        pool_size: int or tuple of 1 ints, the window (default 2, as in TF-2 Keras; Keras 3 makes it required).
        strides: int or tuple of 1 ints; None (default) means `pool_size`.
        padding: 'valid' or 'same' (output size ceil(input / stride), the odd padding cell at
            the end; the mean counts only real cells, not padding); case-insensitive.
        data_format: 'channels_last' (batch, steps, channels) (default) or 'channels_first'.

    Example:
        >>> layer = AveragePooling1D(2, padding="same")
        >>> layer(torch.tensor([[[1.0], [3.0], [5.0]]])).flatten()
        tensor([2., 5.])
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="average",
                         padding=padding, data_format=data_format, name=name, **kwargs)
