"""AdaptiveMaxPooling2D: the maximum over adaptive windows of images."""
from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptiveMaxPooling

__all__ = ["AdaptiveMaxPooling2D"]


class AdaptiveMaxPooling2D(BaseAdaptiveMaxPooling):
    """Pools height and width to `output_size` by the maximum of adaptively sized windows.

    Args:
        output_size: int or tuple of 2 ints, the output's spatial size.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> AdaptiveMaxPooling2D(7)(np.random.rand(2, 100, 80, 3).astype("float32")).shape
        torch.Size([2, 7, 7, 3])
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(2, output_size, data_format, **kwargs)
