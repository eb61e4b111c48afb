"""LeakyReLU: `x` for positive inputs, `negative_slope * x` otherwise."""
from __future__ import annotations

import warnings

from lamina import activations
from lamina.layers.layer import Layer

__all__ = ["LeakyReLU"]


class LeakyReLU(Layer):
    """Leaky rectified linear unit, `max(x, negative_slope * x)`.

    Args:
        negative_slope: the slope for negative inputs (Keras' default 0.3), >= 0. TF-2 code's
            `alpha=` is accepted as the same argument, with Keras' deprecation warning.

    Example:
        >>> LeakyReLU()(torch.tensor([-1.0, 2.0]))
        tensor([-0.3000,  2.0000])
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}
