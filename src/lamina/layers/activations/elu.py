"""ELU: the exponential linear unit as a layer."""
from __future__ import annotations

from lamina import activations
from lamina.layers.layer import Layer

__all__ = ["ELU"]


class ELU(Layer):
    """`x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Args:
        alpha: the value the unit saturates to for large negative inputs is `-alpha`.

    Example:
        >>> ELU(alpha=0.5)(torch.tensor([-100.0, 0.0, 2.0]))
        tensor([-0.5000,  0.0000,  2.0000])
    """

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}
