"""GlobalAveragePooling1D: the mean over the steps of a sequence, one value per channel."""
from __future__ import annotations

import torch

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling

__all__ = ["GlobalAveragePooling1D"]


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling: the mean over the steps of a sequence for each channel.

    Args:
        data_format: 'channels_last' (batch, steps, channels) (default) or 'channels_first'.
        keepdims: keep the spatial axes with length 1 (default False).

    Call arguments:
        mask: (batch, steps) booleans, True for the steps to average; the mask of an
            `Embedding(mask_zero=True)` or `Masking` layer arrives by itself.

    Example:
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]]])
        >>> GlobalAveragePooling1D()(x, mask=torch.tensor([[True, True, False]]))
        tensor([[2.]])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        steps_axis = self._spatial_axes[0]
        if mask is None:
            return inputs.mean(dim=steps_axis, keepdim=self.keepdims)
        # Only the unmasked steps count (padding of variable-length sequences is skipped).
        keep = mask.to(torch.bool).unsqueeze(-1 if steps_axis == 1 else 1)
        total = torch.where(keep, inputs, 0).sum(dim=steps_axis, keepdim=self.keepdims)
        return total / keep.to(inputs.dtype).sum(dim=steps_axis, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None
