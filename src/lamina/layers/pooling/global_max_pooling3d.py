"""GlobalMaxPooling3D: the maximum over the positions of a volume, one value per channel."""
from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling

__all__ = ["GlobalMaxPooling3D"]


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global max pooling: the maximum over the positions of a volume for each channel.

    Args:
        data_format: 'channels_last' (batch, d, h, w, channels) (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (default False).

    Example:
        >>> GlobalMaxPooling3D(keepdims=True)(np.zeros((2, 3, 4, 5, 8), "float32")).shape
        torch.Size([2, 1, 1, 1, 8])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return inputs.amax(dim=self._spatial_axes, keepdim=self.keepdims)
