"""AdaptiveMaxPooling1D: the maximum over adaptive windows of sequences."""
from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptiveMaxPooling

__all__ = ["AdaptiveMaxPooling1D"]


class AdaptiveMaxPooling1D(BaseAdaptiveMaxPooling):
    """Pools the steps to `output_size` by the maximum of adaptively sized windows.

    Args:
        output_size: int or tuple of 1 int, the output's spatial size.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> AdaptiveMaxPooling1D(32)(np.random.rand(2, 64, 3).astype("float32")).shape
        torch.Size([2, 32, 3])
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, output_size, data_format, **kwargs)
