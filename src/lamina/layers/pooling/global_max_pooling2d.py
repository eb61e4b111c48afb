"""GlobalMaxPooling2D: the maximum over the positions of an image, one value per channel."""
from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling

__all__ = ["GlobalMaxPooling2D"]


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global max pooling: the maximum over the positions of an image for each channel.

    Args:
        data_format: 'channels_last' (batch, h, w, channels) (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (default False).

    Example:
        >>> GlobalMaxPooling2D()(np.zeros((2, 5, 5, 8), "float32")).shape
        torch.Size([2, 8])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return inputs.amax(dim=self._spatial_axes, keepdim=self.keepdims)
