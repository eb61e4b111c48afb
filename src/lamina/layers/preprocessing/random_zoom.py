"""RandomZoom: zooms images in or out by a random factor about their centre, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.affine import affine_transform
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, check_fill_mode,
                                                          check_interpolation, parse_factor)

__all__ = ["RandomZoom"]


class RandomZoom(BaseRandomImageLayer):
    """Zooms each image in training: the sampled region is `1 + factor` times the image.

    Args:
        height_factor: `f` draws from `[-f, f]`, `(a, b)` from `[a, b]`, each in (-1, 1];
            negative values zoom in (a smaller region fills the image), positive zoom out.
        width_factor: the same for the width; None (default) keeps the aspect ratio (the
            height's draw is used).
        fill_mode, interpolation, seed, fill_value, data_format: as in RandomRotation.

    Example:
        >>> row = torch.arange(4.0).reshape(1, 1, 4, 1)
        >>> RandomZoom((-0.5, -0.5))(row, training=True)[0, 0, :, 0].tolist()
        [0.75, 1.25, 1.75, 2.25]
    """

    def __init__(self, height_factor, width_factor=None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = parse_factor(
            height_factor, "height_factor", each_in_range=True, lower_open=True)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = parse_factor(
                width_factor, "width_factor", each_in_range=True, lower_open=True)
        self.fill_mode = check_fill_mode(fill_mode)
        self.interpolation = check_interpolation(interpolation)
        self.fill_value = fill_value

    def transform(self, images, generator):
        batch = images.shape[0]
        height, width = images.shape[self.height_axis], images.shape[self.width_axis]
        height_zoom = self.uniform((batch,), 1.0 + self.height_lower, 1.0 + self.height_upper,
                                   generator, images)
        width_zoom = height_zoom if self.width_factor is None else self.uniform(
            (batch,), 1.0 + self.width_lower, 1.0 + self.width_upper, generator, images)
        zeros = torch.zeros_like(height_zoom)
        matrix = torch.stack([width_zoom, zeros, (width - 1) / 2.0 * (1.0 - width_zoom),
                              zeros, height_zoom, (height - 1) / 2.0 * (1.0 - height_zoom),
                              zeros, zeros], dim=-1)
        return affine_transform(images, matrix, self.interpolation, self.fill_mode,
                                self.fill_value, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value}
