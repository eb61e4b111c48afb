"""BasePooling: max and average pooling over 1, 2 or 3 spatial axes, on torch's pooling kernels."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.conv_utils import (channel_axis_hint, check_window_fits, output_length,
                                     same_padding, standardize_data_format, standardize_padding,
                                     standardize_tuple)

__all__ = ["BasePooling"]

_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(Layer):
    """Abstract N-D pooling: the max or the mean of each window.

    Args:
        pool_size: int or tuple of `pool_dimensions` ints, the window.
        strides: int or tuple; None (the default) means `pool_size`.
        pool_dimensions: number of spatial axes (1, 2 or 3).
        pool_mode: 'max' or 'average'.
        padding: 'valid' or 'same' (TensorFlow's: the odd cell at the end; average pooling
            divides by the number of real cells, not counting the padding); case-insensitive.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, pool_size, strides, pool_dimensions: int, pool_mode: str = "max",
                 padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_dimensions = pool_dimensions
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size")
        self.strides = standardize_tuple(pool_size if strides is None else strides,
                                         pool_dimensions, "strides")
        self.pool_mode = pool_mode
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        channels_last = self.data_format == "channels_last"
        spatial = inputs.shape[1:-1] if channels_last else inputs.shape[2:]
        pads = ([(0, 0)] * self.pool_dimensions if self.padding == "valid" else
                [same_padding(n, k, s) for n, k, s in zip(spatial, self.pool_size, self.strides)])
        # channels_last inputs go to torch as a permuted view: its memory is torch's
        # channels_last format, which the pooling kernels take without a copy.
        x = inputs.movedim(-1, 1) if channels_last else inputs
        if all(before == after for before, after in pads):
            outputs = self._pool(x, tuple(before for before, _ in pads))
        else:
            outputs = self._pool_padded(x, [amount for pair in reversed(pads) for amount in pair])
        return outputs.movedim(1, -1) if channels_last else outputs

    def _pool(self, x, padding):
        if self.pool_mode == "max":
            return _MAX_POOL[self.pool_dimensions](x, self.pool_size, self.strides, padding)
        # Keras' 'same' average leaves the padding out of each window's count.
        return _AVG_POOL[self.pool_dimensions](x, self.pool_size, self.strides, padding,
                                               count_include_pad=False)

    def _pool_padded(self, x, flat_pads):
        """Pooling with TensorFlow's asymmetric padding, which torch's `padding` cannot express."""
        if self.pool_mode == "max":
            return self._pool(F.pad(x, flat_pads, value=-torch.inf), 0)
        # Mean over the real cells = mean over the zero-padded window / share of real cells.
        ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
        return self._pool(F.pad(x, flat_pads), 0) / self._pool(F.pad(ones, flat_pads), 0)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        channels_last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if channels_last else input_shape[2:]
        check_window_fits(self, input_shape, spatial, self.pool_size, "pool_size", self.padding,
                          self.strides)
        out = tuple(output_length(n, k, self.padding, s)
                    for n, k, s in zip(spatial, self.pool_size, self.strides))
        return ((input_shape[0],) + out + (input_shape[-1],) if channels_last
                else input_shape[:2] + out)

    def _input_spec_hint(self, index, shape) -> str:
        return channel_axis_hint(self, shape, self.pool_dimensions, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}
