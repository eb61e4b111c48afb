"""RandomRotation: rotates images by a random angle about their centre, in training."""
from __future__ import annotations

import math

from lamina.layers.preprocessing.affine import affine_transform, rotation_matrix
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, check_fill_mode,
                                                          check_interpolation, parse_factor)

__all__ = ["RandomRotation"]


class RandomRotation(BaseRandomImageLayer):
    """Rotates each image by an angle drawn from `factor * 360°` in training.

    Args:
        factor: a fraction of a full turn: `f` draws from `[-f, f]`, `(a, b)` from `[a, b]`
            (positive angles turn counter-clockwise), each in [-1, 1].
        fill_mode: points outside the image: "reflect" (default), "wrap", "constant" or
            "nearest".
        interpolation: "bilinear" (default) or "nearest".
        seed: seed of the angles.
        fill_value: the value outside the image for fill_mode="constant".
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
        >>> quarter_turn = RandomRotation(factor=(0.25, 0.25))
        >>> quarter_turn(image, training=True)[0, :, :, 0].round().tolist()
        [[2.0, 4.0], [1.0, 3.0]]
    """

    def __init__(self, factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor")
        self.fill_mode = check_fill_mode(fill_mode)
        self.interpolation = check_interpolation(interpolation)
        self.fill_value = fill_value

    def transform(self, images, generator):
        height, width = images.shape[self.height_axis], images.shape[self.width_axis]
        lower, upper = self.factor[0] * 360.0, self.factor[1] * 360.0
        degrees = self.uniform((images.shape[0],), lower, upper, generator, images)
        matrix = rotation_matrix(degrees * (math.pi / 180.0), height, width)
        return affine_transform(images, matrix, self.interpolation, self.fill_mode,
                                self.fill_value, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "interpolation": self.interpolation,
                "seed": self.seed}

