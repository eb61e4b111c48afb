"""UpSampling2D: enlarges images by integer factors (nearest, bilinear, or a resize kernel)."""
from __future__ import annotations

from lamina.layers.reshaping.base_up_sampling import BaseUpSampling
from lamina.ops.image import resize, resize_interpolation
from lamina.utils.argument_validation import standardize_data_format, standardize_tuple

__all__ = ["UpSampling2D"]



class UpSampling2D(BaseUpSampling):
    """Scales rows by `size[0]` and columns by `size[1]`.

    Args:
        size: an int or `(rows, cols)`: the upsampling factors.
        data_format: 'channels_last' (default) or 'channels_first'.
        interpolation: 'nearest' (repeat each pixel), or a method of `ops.image.resize`
            ('bilinear', 'bicubic', 'lanczos3', 'lanczos5', 'area'), as in Keras.

    Example:
        >>> UpSampling2D()(torch.tensor([[[[1.0], [2.0]]]]))[0, :, :, 0]
        tensor([[1., 1., 2., 2.],
                [1., 1., 2., 2.]])
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation: str = "nearest", **kwargs):
        size = standardize_tuple(size, 2, "size")
        if not isinstance(interpolation, str):
            raise ValueError(f"UpSampling2D: `interpolation` must be a string such as 'nearest' "
                             f"or 'bilinear'. Received: interpolation={interpolation!r}")
        self.interpolation = interpolation.lower()
        if self.interpolation != "nearest":
            resize_interpolation(self.interpolation)  # names the methods there are
        super().__init__(2, size, standardize_data_format(data_format), **kwargs)
        self.size = size

    def call(self, inputs):
        if self.interpolation in ("nearest", "bilinear"):
            return self._upsample(inputs, self.interpolation)
        # Keras resizes to the enlarged size with `image.resize` for the other kernels.
        spatial = inputs.shape[1:3] if self.data_format == "channels_last" else inputs.shape[2:4]
        target = (spatial[0] * self.size[0], spatial[1] * self.size[1])
        return resize(inputs, target, interpolation=self.interpolation,
                      data_format=self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
