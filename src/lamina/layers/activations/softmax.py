"""Softmax: the softmax activation as a layer, with Keras' mask handling."""
from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.layer import Layer

__all__ = ["Softmax"]


class Softmax(Layer):
    """Softmax over `axis`; masked positions get probability 0.

    Args:
        axis: the axis (or axes) to normalize over.

    Call arguments:
        inputs: the logits.
        mask: booleans (or 0/1 floats) broadcastable to `inputs`; False entries are left out
            of the softmax and set to 0 in the output.

    Example:
        >>> Softmax()(torch.tensor([[1.0, 1.0, 5.0]]), mask=torch.tensor([[True, True, False]]))
        tensor([[0.5000, 0.5000, 0.0000]])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = self._check_mask(inputs, mask)
            # Keras' large negative logit: exp underflows to exactly 0 for masked entries.
            large_negative = -30000.0 if inputs.dtype == torch.float16 else -1e9
            inputs = torch.where(mask, inputs, torch.tensor(large_negative, dtype=inputs.dtype,
                                                            device=inputs.device))
        axis = self.axis
        if isinstance(axis, (list, tuple)):
            axis = axis[0] if len(axis) == 1 else tuple(axis)
        outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = torch.where(mask, outputs, torch.zeros((), dtype=outputs.dtype,
                                                             device=outputs.device))
        return outputs

    def _check_mask(self, inputs, mask) -> torch.Tensor:
        mask = torch.as_tensor(mask, device=inputs.device)
        inputs_shape, mask_shape = tuple(inputs.shape), tuple(mask.shape)
        broadcastable = len(mask_shape) <= len(inputs_shape) and all(
            m in (1, i) for m, i in zip(reversed(mask_shape), reversed(inputs_shape)))
        if not broadcastable:
            raise ValueError(f"Softmax '{self.name}': the `mask` must be broadcastable to `inputs`: "
                             f"each mask dimension must be 1 or match the corresponding input "
                             f"dimension (aligned from the last). Received: "
                             f"inputs.shape={inputs_shape}, mask.shape={mask_shape}")
        return mask if mask.dtype == torch.bool else mask > 0.5

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
