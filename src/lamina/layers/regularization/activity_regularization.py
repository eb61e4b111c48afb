"""ActivityRegularization: adds an L1/L2 penalty on the activations that pass through it."""
from __future__ import annotations

from lamina import regularizers
from lamina.layers.layer import Layer

__all__ = ["ActivityRegularization"]


class ActivityRegularization(Layer):
    """Identity on the inputs that adds `(l1 * sum|x| + l2 * sum x²) / batch_size` to the loss.

    Args:
        l1: L1 factor (a non-negative float).
        l2: L2 factor (a non-negative float).

    Example:
        >>> layer = ActivityRegularization(l1=0.1)
        >>> _ = layer(torch.tensor([[1.0, -2.0], [3.0, 0.0]]))
        >>> layer.losses
        [tensor(0.3000)]
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = {**super().get_config(), "l1": self.l1, "l2": self.l2}
        config.pop("activity_regularizer", None)
        return config
