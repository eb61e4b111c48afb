"""CenterCrop: crops the central `(height, width)` of images (or resizes smaller ones)."""
from __future__ import annotations

from lamina.layers.preprocessing.base_image_layer import BaseImagePreprocessingLayer
from lamina.utils.image_utils import smart_resize

__all__ = ["CenterCrop", "check_size", "with_spatial_size"]


class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the centre of each image to `(height, width)`, in training and inference alike.

    An image smaller than the target (in either dimension) is instead cropped to the target's
    aspect ratio and resized (`smart_resize`). When the size difference is odd, the extra row
    or column is cut at the bottom/right.

    Args:
        height, width: the output size.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.arange(16.0).reshape(1, 4, 4, 1)
        >>> CenterCrop(2, 2)(image)[0, :, :, 0].tolist()
        [[5.0, 6.0], [9.0, 10.0]]
    """

    def __init__(self, height: int, width: int, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = check_size(height, "height")
        self.width = check_size(width, "width")

    def call(self, inputs):
        self.check_images(inputs)
        height_diff = inputs.shape[self.height_axis] - self.height
        width_diff = inputs.shape[self.width_axis] - self.width
        if height_diff < 0 or width_diff < 0:
            return smart_resize(inputs, (self.height, self.width), data_format=self.data_format)
        top, left = height_diff // 2, width_diff // 2
        rows, cols = slice(top, top + self.height), slice(left, left + self.width)
        if self.data_format == "channels_last":
            return inputs[..., rows, cols, :]
        return inputs[..., rows, cols]

    def compute_output_shape(self, input_shape):
        return with_spatial_size(input_shape, self.height, self.width, self.height_axis,
                                 self.width_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}


def check_size(value, name: str) -> int:
    """`value` if it is a positive int; ValueError naming `name` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Argument `{name}` must be a positive integer (the output size in "
                         f"pixels). Received: {name}={value!r}")
    return value


def with_spatial_size(input_shape, height: int, width: int, height_axis: int, width_axis: int):
    """`input_shape` (an image or a batch) with its height and width axes set."""
    shape = list(input_shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"Expected an image shape of rank 3 (single image) or 4 (batch of "
                         f"images). Received: input_shape={tuple(input_shape)}")
    shape[height_axis], shape[width_axis] = height, width
    return tuple(shape)
