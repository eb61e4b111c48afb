"""RandAugment: applies `num_ops` operations picked at random from eleven, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.auto_contrast import AutoContrast
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer,
                                                          check_interpolation, parse_factor)
from lamina.layers.preprocessing.equalization import Equalization
from lamina.layers.preprocessing.random_brightness import RandomBrightness
from lamina.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from lamina.layers.preprocessing.random_contrast import RandomContrast
from lamina.layers.preprocessing.random_posterization import RandomPosterization
from lamina.layers.preprocessing.random_rotation import RandomRotation
from lamina.layers.preprocessing.random_sharpness import RandomSharpness
from lamina.layers.preprocessing.random_shear import RandomShear
from lamina.layers.preprocessing.random_translation import RandomTranslation
from lamina.layers.preprocessing.solarization import Solarization
from lamina.random.seed_generator import torch_generator

__all__ = ["RandAugment"]


class RandAugment(BaseRandomImageLayer):
    """Each call picks `num_ops` operations (with repetition) among Keras' eleven, the same for
    the whole batch, and applies them in turn with magnitudes drawn from `factor`
    (Cubuk et al., 2019).

    The operations, in Keras' order: RandomShear, RandomTranslation, RandomRotation,
    RandomBrightness, RandomColorDegeneration, RandomContrast, RandomSharpness,
    RandomPosterization, Solarization, AutoContrast, Equalization. The choice is drawn on the
    host from the layer's seed stream (no device read); only the chosen operations run.

    Args:
        value_range: the images' value range. Defaults to (0, 255).
        num_ops: the number of operations per call. Defaults to 2.
        factor: the magnitude range: `[0, f]` for a number `f`, `[a, b]` for a pair, within
            [0, 1]. Defaults to 0.5.
        interpolation: for the geometric operations, "bilinear" (default) or "nearest".
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.rand(2, 8, 8, 3) * 255
        >>> RandAugment(seed=0)(images, training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(self, value_range=(0, 255), num_ops: int = 2, factor=0.5,
                 interpolation: str = "bilinear", seed: int | None = None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.interpolation = check_interpolation(interpolation)
        common = {"seed": seed, "data_format": data_format}
        colour = {"value_range": value_range, **common}
        self.operations = [
            RandomShear(x_factor=self.factor, y_factor=self.factor, interpolation=interpolation,
                        **common),
            RandomTranslation(height_factor=self.factor, width_factor=self.factor,
                              interpolation=interpolation, **common),
            RandomRotation(factor=self.factor, interpolation=interpolation, **common),
            RandomBrightness(factor=self.factor, **colour),
            RandomColorDegeneration(factor=self.factor, **colour),
            RandomContrast(factor=self.factor, **colour),
            RandomSharpness(factor=self.factor, **colour),
            RandomPosterization(factor=max(1, int(8 * self.factor[1])), **colour),
            Solarization(addition_factor=self.factor, threshold_factor=self.factor, **colour),
            AutoContrast(value_range=value_range, data_format=data_format),
            Equalization(value_range=value_range, data_format=data_format),
        ]

    def transform(self, images, generator):
        picks = torch.randint(0, len(self.operations), (self.num_ops,),
                              generator=torch_generator(self.seed_generator, "cpu"))
        for index in picks.tolist():
            images = self.operations[index].transform(images, generator)
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation, "seed": self.seed}
