"""Cropping1D: removes steps at the start and end of sequences."""
from __future__ import annotations

from lamina.layers.reshaping.base_cropping import BaseCropping
from lamina.utils.argument_validation import standardize_tuple

__all__ = ["Cropping1D"]


class Cropping1D(BaseCropping):
    """Crops axis 1 of `(batch, steps, features)` inputs.

    Args:
        cropping: an int (the same at both ends) or `(start, end)`: steps to remove.

    Example:
        >>> Cropping1D((1, 2))(torch.zeros(2, 10, 3)).shape
        torch.Size([2, 7, 3])
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, (standardize_tuple(cropping, 2, "cropping", allow_zero=True),),
                         "channels_last", **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["data_format"]
        return {**config, "cropping": self.cropping[0]}
