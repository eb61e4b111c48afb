"""AdaptiveAveragePooling1D: the mean over adaptive windows of sequences."""
from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptiveAveragePooling

__all__ = ["AdaptiveAveragePooling1D"]


class AdaptiveAveragePooling1D(BaseAdaptiveAveragePooling):
    """Pools the steps to `output_size` by the mean of adaptively sized windows.

    Args:
        output_size: int or tuple of 1 int, the output's spatial size.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> AdaptiveAveragePooling1D(32)(np.random.rand(2, 64, 3).astype("float32")).shape
        torch.Size([2, 32, 3])
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, output_size, data_format, **kwargs)
