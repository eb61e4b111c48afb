"""BaseAdaptivePooling: pools the spatial axes to a fixed `output_size`, whatever the input's.

The windows come from the output size (see `lamina.ops.adaptive_pooling`), so a model can
take images of any size and still end in the same number of features.
"""
from __future__ import annotations

from lamina import backend
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.ops.adaptive_pooling import adaptive_average_pool, adaptive_max_pool

__all__ = ["BaseAdaptiveAveragePooling", "BaseAdaptiveMaxPooling", "BaseAdaptivePooling"]

# What Keras' TypeError names as the accepted form of `output_size`, by rank.
_FORMS = {1: "tuple of 1 integer", 2: "(height, width) tuple", 3: "(depth, height, width) tuple"}


class BaseAdaptivePooling(Layer):
    """Abstract adaptive pooling over `rank` spatial axes.

    Args:
        rank: number of spatial axes (1, 2 or 3).
        output_size: an int (every spatial axis) or a tuple of `rank` ints.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, rank: int, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.output_size = _standardize_output_size(output_size, rank)
        self.data_format = data_format or backend.image_data_format()
        if self.data_format not in {"channels_first", "channels_last"}:
            raise ValueError(f"Invalid data_format: {self.data_format}. "
                             f"Expected 'channels_first' or 'channels_last'.")
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape) -> None:
        # No weights; defined because Keras' layer has a build step, so its saved config
        # records the build shape (`build_config`) and so does this one.
        pass

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict:
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class BaseAdaptiveAveragePooling(BaseAdaptivePooling):
    """Adaptive pooling by the mean of each window."""

    def call(self, inputs):
        return adaptive_average_pool(inputs, self.output_size, self.data_format)


class BaseAdaptiveMaxPooling(BaseAdaptivePooling):
    """Adaptive pooling by the maximum of each window."""

    def call(self, inputs):
        return adaptive_max_pool(inputs, self.output_size, self.data_format)


def _standardize_output_size(output_size, rank: int) -> tuple:
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        return (output_size,) * rank
    if isinstance(output_size, (tuple, list)):
        if len(output_size) == rank:
            return tuple(output_size)
        if rank == 1:
            raise ValueError(f"For 1D input, `output_size` tuple must have length 1. "
                             f"Received: {output_size}")
    raise TypeError(f"`output_size` must be an integer or {_FORMS[rank]}. "
                    f"Received: {output_size} of type {type(output_size)}")
