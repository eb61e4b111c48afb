"""Resizing: resizes images to `(height, width)` with `keras.ops.image.resize`."""
from __future__ import annotations

from lamina.layers.preprocessing.base_image_layer import BaseImagePreprocessingLayer
from lamina.layers.preprocessing.center_crop import check_size, with_spatial_size
from lamina.ops import image as image_ops

__all__ = ["Resizing"]


class Resizing(BaseImagePreprocessingLayer):
    """Resizes images (a batch or one image) to `(height, width)`.

    Half-pixel centres, as `jax.image.resize` and `tf.image.resize` have them, so the numbers
    equal Keras' on those backends: "bilinear" without antialiasing, half-pixel "nearest",
    and "bicubic" and "lanczos" with JAX's kernels. Integer images keep their dtype (rounded,
    saturated), as in Keras.

    Args:
        height, width: the output size.
        interpolation: "bilinear" (default), "nearest", "bicubic", "area", "lanczos3" or
            "lanczos5".
        crop_to_aspect_ratio: crop the largest centred window of the target aspect ratio first.
        pad_to_aspect_ratio: pad the short side evenly to the target aspect ratio first.
        fill_mode: the padding; only "constant" (Keras' only mode).
        fill_value: the padding value.
        antialias: widen the kernel when downsampling.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> Resizing(1, 2)(torch.arange(4.0).reshape(1, 1, 4, 1))[0, 0, :, 0].tolist()
        [0.5, 2.5]
    """

    # uint8 images stay uint8 (Keras); resize rounds and saturates them itself.
    _accepts_integer_inputs = True

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0, antialias: bool = False,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = check_size(height, "height")
        self.width = check_size(width, "width")
        self.interpolation = image_ops.resize_interpolation(interpolation)
        image_ops.check_resize_options(crop_to_aspect_ratio, pad_to_aspect_ratio, fill_mode)
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs):
        self.check_images(inputs)
        return image_ops.resize(inputs, (self.height, self.width), self.interpolation,
                                antialias=self.antialias,
                                crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                                fill_value=self.fill_value, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return with_spatial_size(input_shape, self.height, self.width, self.height_axis,
                                 self.width_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}

