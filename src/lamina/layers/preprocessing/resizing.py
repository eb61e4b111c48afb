"""Resizing: resizes images to `(height, width)`, as Keras does on PyTorch (`F.interpolate`)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.layers.preprocessing.base_image_layer import BaseImagePreprocessingLayer
from lamina.layers.preprocessing.center_crop import check_size, with_spatial_size
from lamina.utils.image_utils import RESIZE_MODES, check_interpolation

__all__ = ["Resizing"]


class Resizing(BaseImagePreprocessingLayer):
    """Resizes images (a batch or one image) to `(height, width)`.

    "bilinear" uses half-pixel centres without antialiasing, as `jax.image.resize` and
    `tf.image.resize` do, so its numbers equal Keras' on every backend; "nearest" is
    half-pixel too; "bicubic" is PyTorch's (Keras on the torch backend; JAX's cubic kernel
    differs slightly). Integer images keep their dtype (rounded, saturated), as in Keras.

    Args:
        height, width: the output size.
        interpolation: "bilinear" (default), "nearest", "bicubic" or "area".
        crop_to_aspect_ratio: crop the largest centred window of the target aspect ratio first.
        pad_to_aspect_ratio: pad the short side evenly to the target aspect ratio first.
        fill_mode: the padding; only "constant" (Keras' only mode).
        fill_value: the padding value.
        antialias: filter when downsampling (bilinear and bicubic).
        data_format: "channels_last" or "channels_first".

    Example:
        >>> Resizing(1, 2)(torch.arange(4.0).reshape(1, 1, 4, 1))[0, 0, :, 0].tolist()
        [0.5, 2.5]
    """

    # uint8 images stay uint8 (Keras); the layer casts them itself.
    _accepts_integer_inputs = True

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0, antialias: bool = False,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = check_size(height, "height")
        self.width = check_size(width, "width")
        self.interpolation = check_interpolation(interpolation)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                             "`True`.")
        if fill_mode != "constant":
            raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is "
                             f"supported. Received: fill_mode={fill_mode!r}")
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs):
        self.check_images(inputs)
        images = inputs if inputs.dim() == 4 else inputs.unsqueeze(0)
        if self.data_format == "channels_first":
            images = images.permute(0, 2, 3, 1)
        work_dtype = images.dtype if images.is_floating_point() else torch.float32
        resized = self._resize(images.to(work_dtype))
        if self.data_format == "channels_first":
            resized = resized.permute(0, 3, 1, 2)
        if not inputs.is_floating_point():
            limits = torch.iinfo(inputs.dtype)
            resized = resized.round().clamp(limits.min, limits.max).to(inputs.dtype)
        return resized if inputs.dim() == 4 else resized.squeeze(0)

    def _resize(self, images):
        """Float images `(N, H, W, C)` -> `(N, height, width, C)`, with Keras' box arithmetic."""
        height, width = images.shape[1], images.shape[2]
        if self.crop_to_aspect_ratio:
            crop_height = max(min(height, int(float(width * self.height) / self.width)), 1)
            crop_width = max(min(width, int(float(height * self.width) / self.height)), 1)
            top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
            images = images[:, top:top + crop_height, left:left + crop_width, :]
        elif self.pad_to_aspect_ratio:
            pad_height = max(height, int(float(width * self.height) / self.width))
            pad_width = max(width, int(float(height * self.width) / self.height))
            rows, cols = int((pad_height - height) / 2), int((pad_width - width) / 2)
            images = F.pad(images, (0, 0, cols, cols, rows, rows), value=float(self.fill_value))
        mode = RESIZE_MODES[self.interpolation]
        smooth = mode in ("bilinear", "bicubic")
        # NHWC -> NCHW and back are views; interpolate runs on the channels_last layout.
        resized = F.interpolate(images.permute(0, 3, 1, 2), size=(self.height, self.width),
                                mode=mode, align_corners=False if smooth else None,
                                antialias=self.antialias and smooth)
        return resized.permute(0, 2, 3, 1)

    def compute_output_shape(self, input_shape):
        return with_spatial_size(input_shape, self.height, self.width, self.height_axis,
                                 self.width_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}

