"""UpSampling3D: enlarges volumes by repeating each cell."""
from __future__ import annotations

from lamina.layers.reshaping.base_up_sampling import BaseUpSampling
from lamina.utils.argument_validation import standardize_data_format, standardize_tuple

__all__ = ["UpSampling3D"]


class UpSampling3D(BaseUpSampling):
    """Repeats each cell `size[i]` times along the i-th spatial axis.

    Args:
        size: an int or 3 ints: the upsampling factors.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> UpSampling3D((1, 2, 3))(torch.zeros(2, 4, 4, 4, 3)).shape
        torch.Size([2, 4, 8, 12, 3])
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        size = standardize_tuple(size, 3, "size")
        super().__init__(3, size, standardize_data_format(data_format), **kwargs)
        self.size = size

    def call(self, inputs):
        return self._upsample(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
