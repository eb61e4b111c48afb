"""GlobalAveragePooling2D: the mean over the positions of an image, one value per channel."""
from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling

__all__ = ["GlobalAveragePooling2D"]


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global average pooling: the mean over the positions of an image for each channel.

    Args:
        data_format: 'channels_last' (batch, h, w, channels) (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (default False).

    Example:
        >>> GlobalAveragePooling2D()(np.ones((2, 5, 5, 8), "float32")).shape
        torch.Size([2, 8])
        >>> GlobalAveragePooling2D(keepdims=True)(np.ones((2, 5, 5, 8), "float32")).shape
        torch.Size([2, 1, 1, 8])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return inputs.mean(dim=self._spatial_axes, keepdim=self.keepdims)
