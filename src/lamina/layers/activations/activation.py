"""Activation: applies an activation function (by name or callable) to its input."""
from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer

__all__ = ["Activation"]


class Activation(Layer):
    """Applies an activation function to its input.

    Example:
        >>> Activation("relu")(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self._build_at_init()

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
