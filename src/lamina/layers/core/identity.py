"""`Identity`: a layer that returns its inputs unchanged (a placeholder in a model)."""
from __future__ import annotations

from lamina.layers.layer import Layer

__all__ = ["Identity"]


class Identity(Layer):
    """Returns its `inputs` as they are; built from the start, with no weights.

    Example:
        >>> Identity()(torch.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """

    _casts_integer_inputs = False  # moves values, computes none: integers stay, as in Keras

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.supports_masking = True
        self.built = True
        self._build_at_init()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
