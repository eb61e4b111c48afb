"""Cropping2D: removes rows and columns at the borders of images."""
from __future__ import annotations

from lamina.layers.reshaping.base_cropping import BaseCropping
from lamina.layers.reshaping.spatial import standardize_pairs
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["Cropping2D"]


class Cropping2D(BaseCropping):
    """Crops the height and width axes of images.

    Args:
        cropping: an int (all four borders), `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> Cropping2D(((2, 2), (4, 4)))(torch.zeros(2, 28, 28, 3)).shape
        torch.Size([2, 24, 20, 3])
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, standardize_pairs(cropping, 2, "cropping", "Cropping2D"),
                         standardize_data_format(data_format), **kwargs)
