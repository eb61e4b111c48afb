"""ZeroPadding2D: adds rows and columns of zeros around images."""
from __future__ import annotations

from lamina.layers.reshaping.base_zero_padding import BaseZeroPadding
from lamina.layers.reshaping.spatial import standardize_pairs
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["ZeroPadding2D"]


class ZeroPadding2D(BaseZeroPadding):
    """Pads the height and width axes of images with zeros.

    Args:
        padding: an int (all four borders), `(rows, cols)` (symmetric), or
            `((top, bottom), (left, right))`.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> ZeroPadding2D(((1, 0), (2, 3)))(torch.zeros(2, 28, 28, 3)).shape
        torch.Size([2, 29, 33, 3])
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, standardize_pairs(padding, 2, "padding", "ZeroPadding2D"),
                         standardize_data_format(data_format), **kwargs)
