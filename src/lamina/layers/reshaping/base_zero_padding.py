"""The zero-padding layers' shared logic: add `(before, after)` zeros on each spatial axis."""
from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping.spatial import spatial_axes

__all__ = ["BaseZeroPadding"]


class BaseZeroPadding(Layer):
    """Pads the i-th spatial axis of the input with `padding[i] = (before, after)` zeros."""

    _casts_integer_inputs = False  # moves values, computes none: integers stay, as in Keras

    def __init__(self, rank: int, padding: tuple[tuple[int, int], ...], data_format: str, **kwargs):
        super().__init__(**kwargs)
        self.padding = padding
        self.data_format = data_format
        self._axes = spatial_axes(data_format, rank)
        self.input_spec = InputSpec(ndim=rank + 2)
        # F.pad lists (before, after) from the last axis backwards, down to the first padded one.
        by_axis = dict(zip(self._axes, padding))
        self._torch_padding = [amount for axis in range(rank + 1, self._axes[0] - 1, -1)
                               for amount in by_axis.get(axis, (0, 0))]

    def call(self, inputs):
        return F.pad(inputs, self._torch_padding)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(self._axes, self.padding):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
