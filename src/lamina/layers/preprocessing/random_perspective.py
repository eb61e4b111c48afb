"""RandomPerspective: moves the image corners at random and warps the image to follow."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.affine import perspective_transform
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer,
                                                          check_interpolation, parse_factor)

__all__ = ["RandomPerspective"]


class RandomPerspective(BaseRandomImageLayer):
    """Moves each corner by up to `scale / 2` of its coordinates and applies the perspective
    warp between the two sets of corners, with a probability drawn from `factor`.

    Args:
        factor: the probability of warping an image is drawn from `[0, f]` for a number `f`,
            from `[a, b]` for a pair, within [0, 1]. Defaults to 1.0.
        scale: the corner displacement, in [0, 1]. Defaults to 1.0.
        interpolation: "bilinear" (default) or "nearest".
        fill_value: the value of points mapped from outside the image. Defaults to 0.
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.rand(2, 8, 8, 3)
        >>> RandomPerspective(scale=0.0)(images, training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(self, factor=1.0, scale: float = 1.0, interpolation: str = "bilinear",
                 fill_value: float = 0.0, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        if scale < 0.0 or scale > 1.0:
            raise ValueError("The `scale` argument should be a number in the range [0,1]. "
                             f"Received: scale={scale}")
        self.scale = scale
        self.interpolation = check_interpolation(interpolation)
        self.fill_value = fill_value

    def transform(self, images, generator):
        batch = images.shape[0]
        height, width = images.shape[self.height_axis], images.shape[self.width_axis]
        probability = self.uniform((batch,), self.factor[0], self.factor[1], generator, images)
        apply = self.uniform((batch,), 0.0, 1.0, generator, images) < probability
        displacement = self.uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale,
                                    generator, images)
        corners = torch.tensor([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1],
                                [width - 1, height - 1]], dtype=images.dtype,
                               device=images.device).expand(batch, 4, 2)
        warped = perspective_transform(images, corners, corners + corners * displacement,
                                       self.interpolation, self.fill_value, self.data_format)
        return torch.where(apply.reshape(batch, 1, 1, 1), warped, images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value,
                "seed": self.seed}
