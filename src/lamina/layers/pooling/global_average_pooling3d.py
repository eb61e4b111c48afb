"""GlobalAveragePooling3D: the mean over the positions of a volume, one value per channel."""
from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling

__all__ = ["GlobalAveragePooling3D"]


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Global average pooling: the mean over the positions of a volume for each channel.

    Args:
        data_format: 'channels_last' (batch, d, h, w, channels) (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (default False).

    Example:
        >>> GlobalAveragePooling3D()(np.ones((2, 3, 4, 5, 8), "float32")).shape
        torch.Size([2, 8])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return inputs.mean(dim=self._spatial_axes, keepdim=self.keepdims)
