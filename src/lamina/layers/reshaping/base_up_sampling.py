"""The upsampling layers' shared logic: repeat (or interpolate) along each spatial axis."""
from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping.spatial import spatial_axes

__all__ = ["BaseUpSampling"]

_TORCH_MODES = {1: "linear", 2: "bilinear", 3: "trilinear"}


class BaseUpSampling(Layer):
    """Scales the i-th spatial axis by the integer `size[i]`."""

    def __init__(self, rank: int, size: tuple[int, ...], data_format: str, **kwargs):
        super().__init__(**kwargs)
        self._size = size
        self.data_format = data_format
        self._axes = spatial_axes(data_format, rank)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _upsample(self, inputs, interpolation: str = "nearest"):
        # torch's resampling kernels take (batch, channels, *spatial); channels_last data moved
        # there is a view in torch's channels_last layout, which the kernels read directly.
        channels_last = self.data_format == "channels_last"
        moved = inputs.movedim(-1, 1) if channels_last else inputs
        scale = tuple(float(s) for s in self._size)
        if interpolation == "nearest":
            # 'nearest-exact' picks source cell floor((i + 0.5) / s): for integer s, the same
            # cells as Keras' repeat, with no float rounding near cell edges.
            outputs = F.interpolate(moved, scale_factor=scale, mode="nearest-exact")
        else:
            # Half-pixel centres without corner alignment: the sampling of Keras' image.resize.
            outputs = F.interpolate(moved, scale_factor=scale, mode=_TORCH_MODES[len(scale)],
                                    align_corners=False)
        return outputs.movedim(1, -1) if channels_last else outputs

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self._axes, self._size):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)
