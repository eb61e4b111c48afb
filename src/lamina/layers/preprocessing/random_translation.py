"""RandomTranslation: shifts images by a random fraction of their size, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.affine import affine_transform
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, check_fill_mode,
                                                          check_interpolation, parse_factor)

__all__ = ["RandomTranslation"]


class RandomTranslation(BaseRandomImageLayer):
    """Shifts each image in training by `factor * size` pixels (down and right when positive).

    Args:
        height_factor: `f` draws from `[-f, f]`, `(a, b)` from `[a, b]`, each in [-1, 1], as a
            fraction of the height.
        width_factor: the same for the width.
        fill_mode, interpolation, seed, fill_value, data_format: as in RandomRotation.

    Example:
        >>> image = torch.arange(4.0).reshape(1, 1, 4, 1)
        >>> shift = RandomTranslation(0.0, (0.25, 0.25), fill_mode="constant")
        >>> shift(image, training=True)[0, 0, :, 0].tolist()
        [0.0, 0.0, 1.0, 2.0]
    """

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = parse_factor(height_factor, "height_factor",
                                                            each_in_range=True)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = parse_factor(width_factor, "width_factor",
                                                          each_in_range=True)
        self.fill_mode = check_fill_mode(fill_mode)
        self.interpolation = check_interpolation(interpolation)
        self.fill_value = fill_value

    def transform(self, images, generator):
        batch = images.shape[0]
        height, width = images.shape[self.height_axis], images.shape[self.width_axis]
        shift_y = self.uniform((batch,), self.height_lower, self.height_upper, generator,
                               images) * height
        shift_x = self.uniform((batch,), self.width_lower, self.width_upper, generator,
                               images) * width
        ones, zeros = torch.ones_like(shift_x), torch.zeros_like(shift_x)
        matrix = torch.stack([ones, zeros, -shift_x, zeros, ones, -shift_y, zeros, zeros], dim=-1)
        return affine_transform(images, matrix, self.interpolation, self.fill_mode,
                                self.fill_value, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value}
