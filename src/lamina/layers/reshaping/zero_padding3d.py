"""ZeroPadding3D: adds zeros around volumes."""
from __future__ import annotations

from lamina.layers.reshaping.base_zero_padding import BaseZeroPadding
from lamina.layers.reshaping.spatial import standardize_pairs
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["ZeroPadding3D"]


class ZeroPadding3D(BaseZeroPadding):
    """Pads the three spatial axes of volumes with zeros.

    Args:
        padding: an int (every border), 3 ints (symmetric per axis), or 3 `(before, after)` pairs.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> ZeroPadding3D((1, 0, 2), data_format="channels_first")(torch.zeros(1, 3, 4, 4, 4)).shape
        torch.Size([1, 3, 6, 4, 8])
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, standardize_pairs(padding, 3, "padding", "ZeroPadding3D"),
                         standardize_data_format(data_format), **kwargs)
