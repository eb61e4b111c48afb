"""UpSampling2D: enlarges images by integer factors (nearest or bilinear)."""
from __future__ import annotations

from lamina.layers.reshaping.base_up_sampling import BaseUpSampling
from lamina.utils.argument_validation import standardize_data_format, standardize_tuple

__all__ = ["UpSampling2D"]

_INTERPOLATIONS = ("nearest", "bilinear")


class UpSampling2D(BaseUpSampling):
    """Scales rows by `size[0]` and columns by `size[1]`.

    Args:
        size: an int or `(rows, cols)`: the upsampling factors.
        data_format: 'channels_last' (default) or 'channels_first'.
        interpolation: 'nearest' (repeat each pixel) or 'bilinear' (half-pixel centres, as
            Keras' `image.resize`).

    Example:
        >>> UpSampling2D()(torch.tensor([[[[1.0], [2.0]]]]))[0, :, :, 0]
        tensor([[1., 1., 2., 2.],
                [1., 1., 2., 2.]])
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation: str = "nearest", **kwargs):
        size = standardize_tuple(size, 2, "size")
        if not isinstance(interpolation, str) or interpolation.lower() not in _INTERPOLATIONS:
            raise ValueError(f"UpSampling2D: `interpolation` must be one of {_INTERPOLATIONS} in "
                             f"lamina (Keras' 'bicubic', 'lanczos3', 'lanczos5' and 'area' are not "
                             f"supported). Received: interpolation={interpolation!r}")
        super().__init__(2, size, standardize_data_format(data_format), **kwargs)
        self.size = size
        self.interpolation = interpolation.lower()

    def call(self, inputs):
        return self._upsample(inputs, self.interpolation)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
