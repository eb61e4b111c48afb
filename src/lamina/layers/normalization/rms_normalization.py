"""RMSNormalization: divides each sample by its root mean square over `axis`, then scales it."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.layers.layer import Layer
from lamina.layers.normalization.axes import (broadcastable, built_axis_config, check_axis_argument,
                                              require_known_sizes, resolve_axes)

__all__ = ["RMSNormalization"]


class RMSNormalization(Layer):
    """Root mean square normalization (Zhang & Sennrich 2019): `x * rsqrt(mean(x**2) + eps) * scale`.

    Args:
        axis: the axis or axes to normalize over (default the last).
        epsilon: added to the mean square before the square root.

    Example:
        >>> layer = RMSNormalization()
        >>> layer(torch.tensor([[1.0, 7.0]])).detach()
        tensor([[0.2000, 1.4000]])
        >>> [w.name for w in layer.weights]
        ['scale']
    """

    def __init__(self, axis=-1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_argument(f"RMSNormalization '{self.name}'", axis)
        self.epsilon = epsilon
        self.scale = None
        self._axes = None

    def build(self, input_shape) -> None:
        self._axes = resolve_axes(self, input_shape)
        shape = require_known_sizes(self, self._axes, input_shape)
        self.scale = self.add_weight(shape=shape, name="scale", initializer="ones")

    def call(self, inputs):
        x = inputs.to(torch.promote_types(inputs.dtype, torch.float32))
        scale = self.scale.to(x.dtype)
        if self._axes == list(range(x.ndim - len(self._axes), x.ndim)):
            # The trailing axes: torch's fused kernel.
            outputs = F.rms_norm(x, x.shape[x.ndim - len(self._axes):], scale, self.epsilon)
        else:
            mean_square = x.square().mean(dim=self._axes, keepdim=True)
            scale = broadcastable(scale, x.ndim, self._axes)
            outputs = x * torch.rsqrt(mean_square + self.epsilon) * scale
        return outputs.to(self._dtype)

    def compute_output_shape(self, input_shape):
        resolve_axes(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": built_axis_config(self), "epsilon": self.epsilon}
