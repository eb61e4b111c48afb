"""BaseGlobalPooling: one value per channel, the max or mean over all spatial axes."""
from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.conv_utils import standardize_data_format

__all__ = ["BaseGlobalPooling"]


class BaseGlobalPooling(Layer):
    """Abstract global pooling over `pool_dimensions` spatial axes.

    Args:
        pool_dimensions: number of spatial axes (1, 2 or 3).
        data_format: 'channels_last' (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (as in `(batch, 1, 1, channels)`).
    """

    def __init__(self, pool_dimensions: int, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.pool_dimensions = pool_dimensions
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._build_at_init()

    @property
    def _spatial_axes(self) -> tuple:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.pool_dimensions))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if not self.keepdims:
            return (input_shape[0], channels)
        ones = (1,) * self.pool_dimensions
        return ((input_shape[0],) + ones + (channels,) if self.data_format == "channels_last"
                else (input_shape[0], channels) + ones)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}
