"""ReLU: the rectified linear unit as a layer, with Keras' cap, slope and threshold."""
from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer

__all__ = ["ReLU"]


class ReLU(Layer):
    """`max_value` for `x >= max_value`, `x` for `threshold < x < max_value`,
    `negative_slope * (x - threshold)` otherwise (Keras' definition, 0 at `x == threshold`).

    Args:
        max_value: the largest output (None: no cap), >= 0.
        negative_slope: the slope below `threshold`, >= 0.
        threshold: where the unit switches from the slope to the identity, >= 0.

    Example:
        >>> ReLU(max_value=6.0, negative_slope=0.1)(torch.tensor([-10.0, 2.0, 8.0]))
        tensor([-1.,  2.,  6.])
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be None or a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be None or a negative value. "
                             f"Received: threshold={threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
