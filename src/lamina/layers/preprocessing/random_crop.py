"""RandomCrop: crops images to `(height, width)` at a random place in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer
from lamina.layers.preprocessing.center_crop import check_size, with_spatial_size
from lamina.ops.image import resize
from lamina.utils.image_utils import smart_resize

__all__ = ["RandomCrop"]


class RandomCrop(BaseRandomImageLayer):
    """Crops every image of a batch at the same random place in training.

    In inference, and in training when an image is not larger than the target in both
    dimensions, the images are cropped to the target's aspect ratio and resized instead
    (`smart_resize`), so the output is always `(height, width)`.

    Args:
        height, width: the output size.
        seed: seed of the crop positions (None: a seed drawn from torch's global generator,
            kept in the config as Keras does).
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.zeros(2, 32, 32, 3)
        >>> layer = RandomCrop(24, 24, seed=0)
        >>> tuple(layer(images, training=True).shape), tuple(layer(images).shape)
        ((2, 24, 24, 3), (2, 24, 24, 3))
    """

    def __init__(self, height: int, width: int, seed: int | None = None, data_format=None,
                 **kwargs):
        if seed is None:
            seed = int(torch.randint(0, 2**31 - 1, (1,)))
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height = check_size(height, "height")
        self.width = check_size(width, "width")

    def call(self, inputs, training=True):
        self.check_images(inputs)
        if not training:
            return smart_resize(inputs, (self.height, self.width), data_format=self.data_format)
        return super().call(inputs, training=training)

    def transform(self, images, generator):
        height, width = images.shape[self.height_axis], images.shape[self.width_axis]
        if height > self.height and width > self.width:
            # The offsets stay on the device: index_select takes them without a host read.
            top = torch.randint(0, height - self.height + 1, (), generator=generator,
                                device=images.device)
            left = torch.randint(0, width - self.width + 1, (), generator=generator,
                                 device=images.device)
            rows = top + torch.arange(self.height, device=images.device)
            cols = left + torch.arange(self.width, device=images.device)
            return images.index_select(images.dim() + self.height_axis, rows).index_select(
                images.dim() + self.width_axis, cols)
        # Keras' training path for small images: slice from the aspect-ratio box, then resize.
        crop_height = max(min(height, int(float(width * self.height) / self.width)), 1)
        crop_width = max(min(width, int(float(height * self.width) / self.height)), 1)
        top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
        if self.data_format == "channels_last":
            images = images[:, top:top + self.height, left:left + self.width, :]
        else:
            images = images[:, :, top:top + self.height, left:left + self.width]
        return resize(images, (self.height, self.width), data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return with_spatial_size(input_shape, self.height, self.width, self.height_axis,
                                 self.width_axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}
