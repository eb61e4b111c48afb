"""RandomColorDegeneration: blends each image towards its grayscale copy, in training."""
from __future__ import annotations

from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, parse_factor,
                                                          parse_value_range)
from lamina.ops.image import rgb_to_grayscale

__all__ = ["RandomColorDegeneration"]


class RandomColorDegeneration(BaseRandomImageLayer):
    """`x + f * (gray(x) - x)`, clipped to `value_range`, `f` drawn per image.

    Args:
        factor: as Keras: a number `f` draws from `[-f, f]`, a pair `(a, b)` from `[a, b]`,
            within [-1, 1]; 1 gives the grayscale image, 0 the image itself.
        value_range: the images' value range. Defaults to (0, 255).
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> image = torch.tensor([100.0, 50.0, 0.0]).reshape(1, 1, 1, 3)
        >>> out = RandomColorDegeneration((1.0, 1.0))(image, training=True)
        >>> [round(v, 2) for v in out.flatten().tolist()]
        [59.24, 59.24, 59.24]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor")
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator):
        blend = self.uniform((images.shape[0], 1, 1, 1), self.factor[0], self.factor[1],
                             generator, images)
        gray = rgb_to_grayscale(images, data_format=self.data_format)
        outputs = images + blend * (gray - images)
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
