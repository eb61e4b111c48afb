"""The cropping layers' shared logic: remove `(before, after)` cells on each spatial axis."""
from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping.spatial import spatial_axes

__all__ = ["BaseCropping"]


class BaseCropping(Layer):
    """Crops `cropping[i] = (before, after)` cells from the i-th spatial axis of the input."""

    _casts_integer_inputs = False  # moves values, computes none: integers stay, as in Keras

    def __init__(self, rank: int, cropping: tuple[tuple[int, int], ...], data_format: str,
                 **kwargs):
        super().__init__(**kwargs)
        self.cropping = cropping
        self.data_format = data_format
        self._axes = spatial_axes(data_format, rank)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        self._check_sizes(tuple(inputs.shape))
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(self._axes, self.cropping):
            index[axis] = slice(before, inputs.shape[axis] - after)
        # Slicing is a view: cropping copies nothing.
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        self._check_sizes(tuple(shape))
        for axis, (before, after) in zip(self._axes, self.cropping):
            if shape[axis] is not None:
                shape[axis] -= before + after
        return tuple(shape)

    def _check_sizes(self, shape: tuple) -> None:
        for axis, (before, after) in zip(self._axes, self.cropping):
            if shape[axis] is not None and before + after >= shape[axis]:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': values in `cropping` argument should be "
                    f"smaller than the corresponding spatial dimension of the input. Cropping "
                    f"{before} + {after} cells from axis {axis} leaves nothing of its {shape[axis]}. "
                    f"Received: input_shape={shape}, cropping={self.cropping}")

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
