"""UnitNormalization: scales each sample to unit L2 norm over `axis`."""
from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.layer import Layer
from lamina.layers.normalization.axes import check_axis_argument, resolve_axes

__all__ = ["UnitNormalization"]


class UnitNormalization(Layer):
    """Divides each sample by its L2 norm over `axis`: `x / max(||x||, 1e-12)`.

    Args:
        axis: the axis or axes of the norm (default the last).

    Example:
        >>> UnitNormalization()(torch.tensor([[3.0, 4.0]]))
        tensor([[0.6000, 0.8000]])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_argument(f"UnitNormalization '{self.name}'", axis)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        # Keras' `x * min(rsqrt(sum(x**2)), 1e12)` is torch's `x / max(norm, 1e-12)`.
        return F.normalize(inputs, p=2.0, dim=resolve_axes(self, inputs.shape), eps=1e-12)

    def compute_output_shape(self, input_shape):
        resolve_axes(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
