"""GlobalMaxPooling1D: the maximum over the steps of a sequence, one value per channel."""
from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling

__all__ = ["GlobalMaxPooling1D"]


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling: the maximum over the steps of a sequence for each channel.

    Args:
        data_format: 'channels_last' (batch, steps, channels) (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (default False).

    Example:
        >>> GlobalMaxPooling1D()(torch.tensor([[[1.0, 4.0], [3.0, 2.0]]]))
        tensor([[3., 4.]])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return inputs.amax(dim=self._spatial_axes, keepdim=self.keepdims)
