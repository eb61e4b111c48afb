"""AdaptiveMaxPooling3D: the maximum over adaptive windows of volumes."""
from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptiveMaxPooling

__all__ = ["AdaptiveMaxPooling3D"]


class AdaptiveMaxPooling3D(BaseAdaptiveMaxPooling):
    """Pools depth, height and width to `output_size` by the maximum of adaptively sized windows.

    Args:
        output_size: int or tuple of 3 ints, the output's spatial size.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> AdaptiveMaxPooling3D(16)(np.random.rand(1, 32, 32, 32, 3).astype("float32")).shape
        torch.Size([1, 16, 16, 16, 3])
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, output_size, data_format, **kwargs)
