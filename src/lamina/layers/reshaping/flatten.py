"""Flatten: one vector per sample, whatever the sample's shape."""
from __future__ import annotations

import math

from lamina.layers.layer import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    """Flattens each sample to a vector: (batch, 28, 28) -> (batch, 784).

    Example:
        >>> Flatten()(torch.zeros(2, 28, 28)).shape
        torch.Size([2, 784])
    """

    _casts_integer_inputs = False  # moves values, computes none: integers stay, as in Keras

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        features = input_shape[1:]
        flat = None if any(d is None for d in features) else math.prod(features)
        return (input_shape[0], flat)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
