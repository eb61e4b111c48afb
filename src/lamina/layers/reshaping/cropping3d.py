"""Cropping3D: removes cells at the borders of volumes."""
from __future__ import annotations

from lamina.layers.reshaping.base_cropping import BaseCropping
from lamina.layers.reshaping.spatial import standardize_pairs
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["Cropping3D"]


class Cropping3D(BaseCropping):
    """Crops the three spatial axes of volumes.

    Args:
        cropping: an int (every border), 3 ints (symmetric per axis), or 3 `(before, after)` pairs.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> Cropping3D(((1, 1), (0, 2), 1))(torch.zeros(2, 5, 6, 7, 3)).shape
        torch.Size([2, 3, 4, 5, 3])
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, standardize_pairs(cropping, 3, "cropping", "Cropping3D"),
                         standardize_data_format(data_format), **kwargs)
