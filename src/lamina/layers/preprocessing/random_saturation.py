"""RandomSaturation: scales the saturation of each image by a random factor, in training."""
from __future__ import annotations

import torch

from lamina import backend
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, parse_factor,
                                                          parse_value_range)
from lamina.ops.image import hsv_to_rgb, rgb_to_hsv

__all__ = ["RandomSaturation"]


class RandomSaturation(BaseRandomImageLayer):
    """Multiplies the HSV saturation by `f / (1 - f)`, `f` drawn per image from `factor`.

    `f = 0.5` keeps the image, `f = 0` makes it gray, `f` near 1 saturates it fully. As in
    Keras 3, a number `f` draws from `[-f, f]` (negative draws give gray images), and the
    scaled saturation is clipped to `value_range`, not to [0, 1]: a scale above 1 gives
    values outside the range (Keras' numbers, kept); clip afterwards if that matters.

    Args:
        factor: a number or a pair `(a, b)` within [-1, 1], e.g. `(0.5, 0.9)`.
        value_range: the images' value range. Defaults to (0, 255).
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> image = torch.tensor([200.0, 100.0, 100.0]).reshape(1, 1, 1, 3)
        >>> RandomSaturation((0.0, 0.0))(image, training=True).flatten().tolist()
        [200.0, 200.0, 200.0]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor")
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator):
        batch = images.shape[0]
        draws = self.uniform((batch,), self.factor[0], self.factor[1], generator, images)
        scales = (draws / (1 - draws + backend.epsilon())).reshape(batch, 1, 1)
        channel_axis = 1 if self.data_format == "channels_first" else -1
        hue, saturation, value = rgb_to_hsv(images, self.data_format).unbind(dim=channel_axis)
        saturation = (saturation * scales).clamp(self.value_range[0], self.value_range[1])
        return hsv_to_rgb(torch.stack([hue, saturation, value], dim=channel_axis),
                          self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
