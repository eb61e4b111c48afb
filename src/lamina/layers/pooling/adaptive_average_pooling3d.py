"""AdaptiveAveragePooling3D: the mean over adaptive windows of volumes."""
from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptiveAveragePooling

__all__ = ["AdaptiveAveragePooling3D"]


class AdaptiveAveragePooling3D(BaseAdaptiveAveragePooling):
    """Pools depth, height and width to `output_size` by the mean of adaptively sized windows.

    Args:
        output_size: int or tuple of 3 ints, the output's spatial size.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> AdaptiveAveragePooling3D(16)(np.random.rand(1, 32, 32, 32, 3).astype("float32")).shape
        torch.Size([1, 16, 16, 16, 3])
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, output_size, data_format, **kwargs)
