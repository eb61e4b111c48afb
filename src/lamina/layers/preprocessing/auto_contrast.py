"""AutoContrast: stretches each image channel to the full value range (always, as in Keras)."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import (BaseImagePreprocessingLayer,
                                                          parse_value_range,
                                                          transform_value_range)

__all__ = ["AutoContrast"]


class AutoContrast(BaseImagePreprocessingLayer):
    """Maps each image's channel from `[min, max]` onto `value_range`, in training and
    inference alike (Keras applies it in both).

    A constant channel (`min == max`) is left as it is.

    Args:
        value_range: the images' value range. Defaults to (0, 255).
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.tensor([50.0, 100.0, 150.0]).reshape(1, 1, 3, 1)
        >>> AutoContrast()(image).flatten().tolist()
        [0.0, 127.5, 255.0]
    """

    applies_in_inference = True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator=None):
        levels = transform_value_range(images, self.value_range, (0, 255))
        spatial = (self.height_axis, self.width_axis)
        low = levels.amin(dim=spatial, keepdim=True)
        high = levels.amax(dim=spatial, keepdim=True)
        scale = 255.0 / (high - low)
        stretched = (levels * scale - low * scale).clamp(0.0, 255.0)
        stretched = transform_value_range(stretched, (0, 255), self.value_range)
        return torch.where(torch.isnan(stretched), images, stretched)

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range}
