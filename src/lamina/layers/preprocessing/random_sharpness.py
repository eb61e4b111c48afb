"""RandomSharpness: blends each image with a smoothed copy by a random amount, in training."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, parse_factor,
                                                          parse_value_range)

__all__ = ["RandomSharpness"]

# Keras' smoothing kernel: 5/13 at the centre, 1/13 around it.
_SIDE, _CENTRE = 1.0 / 13.0, 5.0 / 13.0


class RandomSharpness(BaseRandomImageLayer):
    """`x + (1 - 2f) * (smooth(x) - x)`, clipped to `value_range`, `f` drawn per image.

    `f = 0.5` keeps the image, smaller values blur it towards the 3x3 smoothed copy (zero
    padded at the borders, as Keras' depthwise convolution), larger values sharpen it.

    Args:
        factor: `f` is drawn from `[0, f]` for a number, from `[a, b]` for a pair, in [0, 1].
        value_range: the images' value range. Defaults to (0, 255).
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> image = torch.full((1, 3, 3, 1), 100.0)
        >>> RandomSharpness((0.5, 0.5))(image, training=True)[0, 1, 1, 0].item()
        100.0
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator):
        batch = images.shape[0]
        sharpness = 2 * self.uniform((batch, 1, 1, 1), self.factor[0], self.factor[1], generator,
                                     images)
        pixels = images.permute(0, 3, 1, 2) if self.data_format == "channels_last" else images
        channels = pixels.shape[1]
        kernel = torch.full((3, 3), _SIDE, dtype=images.dtype, device=images.device)
        kernel[1, 1] = _CENTRE
        smoothed = F.conv2d(pixels, kernel.expand(channels, 1, 3, 3), padding=1, groups=channels)
        if self.data_format == "channels_last":
            smoothed = smoothed.permute(0, 2, 3, 1)
        outputs = images + (1.0 - sharpness) * (smoothed - images)
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
