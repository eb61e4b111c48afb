"""RandomHue: rotates the hue of each image by a random amount, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, parse_factor,
                                                          transform_value_range)
from lamina.ops.image import hsv_to_rgb, rgb_to_hsv

__all__ = ["RandomHue"]


class RandomHue(BaseRandomImageLayer):
    """Shifts the hue (on [0, 1]) by `±factor / 2`, sign and size drawn per image.

    Args:
        factor: the shift size is drawn from `[0, f]` for a number `f`, from `[a, b]` for a
            pair, within [0, 1]; 1.0 turns the hue half way round the colour wheel.
        value_range: the images' value range. Defaults to (0, 255).
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> red = torch.tensor([1.0, 0.0, 0.0]).reshape(1, 1, 1, 3)
        >>> RandomHue((1.0, 1.0), value_range=(0, 1))(red, training=True).flatten().tolist()
        [0.0, 1.0, 1.0]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.value_range = value_range

    def transform(self, images, generator):
        batch = images.shape[0]
        signs = torch.where(self.uniform((batch,), 0.0, 1.0, generator, images) > 0.5, -1.0, 1.0)
        sizes = self.uniform((batch,), self.factor[0], self.factor[1], generator, images)
        shifts = (signs * sizes * 0.5).reshape(batch, 1, 1)
        units = transform_value_range(images, self.value_range, (0, 1))
        channel_axis = 1 if self.data_format == "channels_first" else -1
        hue, saturation, value = rgb_to_hsv(units, self.data_format).unbind(dim=channel_axis)
        hue = hue + shifts
        hue = torch.where(hue > 1.0, hue - 1.0, hue)
        hue = torch.where(hue < 0.0, hue + 1.0, hue)
        rgb = hsv_to_rgb(torch.stack([hue, saturation, value], dim=channel_axis),
                         self.data_format).clamp(0, 1)
        return transform_value_range(rgb, (0, 1), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
