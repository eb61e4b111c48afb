"""Masking: marks timesteps whose features all equal `mask_value` as padding to skip.

Example:
    >>> x = torch.tensor([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
    >>> out = Masking()(x)
    >>> out._keras_mask.tolist()
    [[True, False, True]]
"""
from __future__ import annotations

import torch

from lamina import ops
from lamina.layers.layer import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Masks each timestep where every feature equals `mask_value`, and zeroes its features.

    The mask (`any(inputs != mask_value, axis=-1)`) travels with the output to the layers that
    honour it: RNNs skip the masked steps, pooling and losses leave them out.

    Args:
        mask_value: the padding value (default 0.0).

    Example:
        >>> model = lamina.Sequential([lamina.Input((None, 2)), Masking(-1.0),
        ...                            lamina.layers.LSTM(3)])
        >>> model(np.array([[[1.0, 2.0], [-1.0, -1.0]]])).shape
        torch.Size([1, 3])
    """

    _casts_integer_inputs = False  # integer sequences stay integers, as in Keras

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self._build_at_init()

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = torch.any(inputs != self.mask_value, dim=-1, keepdim=True)
        return torch.where(keep, inputs, torch.zeros((), dtype=inputs.dtype, device=inputs.device))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
