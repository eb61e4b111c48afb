"""TimeDistributed: applies a layer to every timestep of `(batch, timesteps, ...)` inputs.

Example:
    >>> layer = TimeDistributed(lamina.layers.Dense(8))
    >>> layer(torch.ones(32, 10, 16)).shape
    torch.Size([32, 10, 8])
"""
from __future__ import annotations

import torch

from lamina.layers.core.wrapper import Wrapper
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

__all__ = ["TimeDistributed"]


class TimeDistributed(Wrapper):
    """Applies `layer` to each temporal slice of the inputs, with the same weights.

    The timesteps are folded into the batch axis, so `layer` runs once on
    `(batch * timesteps, ...)` instead of once per step. A layer that keeps non-trainable
    state (BatchNormalization's moving statistics) computes statistics over its batch; Keras 3
    gives it one timestep at a time, so such a layer is run step by step to keep Keras' numbers.

    Args:
        layer: the layer to apply.

    Example:
        >>> conv = TimeDistributed(lamina.layers.Flatten())
        >>> conv(torch.ones(2, 5, 4, 4, 3)).shape
        torch.Size([2, 5, 48])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer!r}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape) -> None:
        if not self.layer.built:
            self.layer.build_from_shape(self._child_input_shape(input_shape))

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_input_shape(input_shape))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        if mask is not None:
            self._check_mask(inputs, mask)
        batch, steps = inputs.shape[0], inputs.shape[1]
        if any(True for _ in self.layer.buffers()):
            outputs = [self.layer(inputs[:, t], training=training,
                                  **self._mask_argument(None if mask is None else mask[:, t]))
                       for t in range(steps)]
            return torch.stack(outputs, dim=1)
        folded_mask = None if mask is None else mask.reshape(batch * steps, *mask.shape[2:])
        outputs = self.layer(inputs.reshape(batch * steps, *inputs.shape[2:]), training=training,
                             **self._mask_argument(folded_mask))
        return outputs.reshape(batch, steps, *outputs.shape[1:])

    def _mask_argument(self, mask) -> dict:
        return {"mask": mask} if mask is not None and self.layer._call_accepts_mask else {}

    def _check_mask(self, inputs, mask) -> None:
        if mask.ndim < 2:
            raise ValueError(f"The `mask` passed to the `TimeDistributed` layer must be at least 2D "
                             f"(e.g., `(batch_size, timesteps)`), but it has {mask.ndim} dimension(s) "
                             f"with shape {tuple(mask.shape)}.")
        if tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape "
                             f"{tuple(mask.shape)} that is incompatible with the input shape "
                             f"{tuple(inputs.shape)}. The first two dimensions of the mask (batch "
                             f"size and timesteps) must match the input's first two dimensions. "
                             f"Expected mask shape prefix: {tuple(inputs.shape[:2])}.")
