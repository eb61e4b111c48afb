"""ZeroPadding1D: adds zero steps at the start and end of sequences."""
from __future__ import annotations

from lamina.layers.reshaping.base_zero_padding import BaseZeroPadding
from lamina.utils.argument_validation import standardize_data_format, standardize_tuple

__all__ = ["ZeroPadding1D"]


class ZeroPadding1D(BaseZeroPadding):
    """Pads the steps axis of sequences with zeros.

    Args:
        padding: an int (the same at both ends) or `(start, end)`.
        data_format: 'channels_last' (steps on axis 1, default) or 'channels_first' (axis 2).

    Example:
        >>> ZeroPadding1D(2)(torch.ones(1, 2, 1)).flatten()
        tensor([0., 0., 1., 1., 0., 0.])
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, (standardize_tuple(padding, 2, "padding", allow_zero=True),),
                         standardize_data_format(data_format), **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding[0]}
