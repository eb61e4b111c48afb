"""RandomElasticTransform: displaces the pixels of a random share of the images by smoothed
random fields, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer, parse_factor
from lamina.ops.image import elastic_deform
from lamina.random.seed_generator import torch_generator

__all__ = ["RandomElasticTransform"]

_INTERPOLATIONS = ("nearest", "bilinear")
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(BaseRandomImageLayer):
    """`keras.ops.image.elastic_transform` of each image with probability `p` (drawn per image
    from `factor`), its strength `s` drawn once per batch from `scale`.

    For images of height `H` and width `W`, the fields are scaled by `alpha = 0.1 s max(H, W)`
    and smoothed with `sigma = 0.05 s min(H, W)`, as Keras; the result is clipped to
    `value_range`. `s` is drawn on the host (it sets the smoothing kernel's size), the fields
    on the images' device.

    Args:
        factor: the probability: `[0, f]` for a number `f`, `[a, b]` for a pair, in [0, 1].
            Defaults to 1.0.
        scale: the strength's range, a number or a pair, in [0, 1]. Defaults to 1.0.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: "reflect" (default), "constant", "nearest", "wrap" or "mirror".
        fill_value: the value outside the image for "constant".
        value_range: the images' value range. Defaults to (0, 255).
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.rand(2, 16, 16, 3) * 255
        >>> RandomElasticTransform(seed=0)(images, training=True).shape
        torch.Size([2, 16, 16, 3])
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value=0.0, value_range=(0, 255),
                 seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.scale = parse_factor(scale, "scale", bounds=(0.0, 1.0))
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      f"{_INTERPOLATIONS}.")
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{_FILL_MODES}.")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range

    def transform(self, images, generator):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images
        batch = images.shape[0]
        probability = self.uniform((batch,), self.factor[0], self.factor[1], generator, images)
        threshold = self.uniform((batch,), 0.0, 1.0, generator, images)
        draw = torch.rand((), generator=torch_generator(self.seed_generator, "cpu"),
                          dtype=torch.float64)
        strength = self.scale[0] + (self.scale[1] - self.scale[0]) * float(draw)
        height, width = images.shape[self.height_axis], images.shape[self.width_axis]
        alpha, sigma = 0.1 * strength * max(height, width), 0.05 * strength * min(height, width)
        channels_last = self.data_format == "channels_last"
        pixels = images.permute(0, 3, 1, 2) if channels_last else images
        deformed = elastic_deform(pixels, alpha, sigma, self.interpolation, self.fill_mode,
                                  self.fill_value, generator)
        deformed = deformed.permute(0, 2, 3, 1) if channels_last else deformed
        outputs = torch.where((threshold < probability)[:, None, None, None], deformed, images)
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
