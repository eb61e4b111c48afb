"""RandomBrightness: adds a random offset to each image, in training."""
from __future__ import annotations

from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, parse_factor,
                                                          parse_value_range)

__all__ = ["RandomBrightness"]


class RandomBrightness(BaseRandomImageLayer):
    """Adds `delta * (high - low)` to every pixel of an image, then clips to `value_range`.

    Args:
        factor: the fraction `delta` is drawn from: a number `f` gives `[-f, f]`, a pair
            `(a, b)` gives `[a, b]`, within [-1, 1] (0.2: up to 20% of the range brighter or
            darker).
        value_range: the images' value range `(low, high)`. Defaults to (0, 255).
        seed: seed of the offsets.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.tensor([10.0, 250.0]).reshape(1, 1, 2, 1)
        >>> RandomBrightness((0.1, 0.1))(image, training=True)[0, 0, :, 0].tolist()
        [35.5, 255.0]
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = parse_factor(factor, "factor")
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator):
        low, high = self.value_range
        deltas = self.uniform((images.shape[0], 1, 1, 1), self.factor[0], self.factor[1],
                              generator, images) * (high - low)
        return (images + deltas).clamp(low, high)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
