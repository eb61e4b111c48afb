"""RandomContrast: scales each image's deviation from its mean by a random factor, in training."""
from __future__ import annotations

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer, parse_factor

__all__ = ["RandomContrast"]


class RandomContrast(BaseRandomImageLayer):
    """`(x - mean) * c + mean` per image and channel in training, clipped to `value_range`.

    Args:
        factor: the contrast factor `c` is drawn from `[1 - lower, 1 + upper]`. As in Keras
            3, a number `f` gives `(lower, upper) = (0, f)` (so `c` in `[1, 1 + f]`); a pair
            `(a, b)` gives `(a, b)` sorted, e.g. `(0.2, 0.2)` for `c` in `[0.8, 1.2]`.
        value_range: the images' value range `(low, high)`, e.g. (0, 255) or (0, 1).
        seed: seed of the factors.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.tensor([0.0, 100.0]).reshape(1, 1, 2, 1)
        >>> RandomContrast((-0.5, 0.5))(image, training=True)[0, 0, :, 0].tolist()
        [0.0, 125.0]
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.value_range = value_range

    def transform(self, images, generator):
        contrast = self.uniform((images.shape[0], 1, 1, 1), 1.0 - self.factor[0],
                                1.0 + self.factor[1], generator, images)
        mean = images.mean(dim=(self.height_axis, self.width_axis), keepdim=True)
        outputs = (images - mean) * contrast + mean
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
