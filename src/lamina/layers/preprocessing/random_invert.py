"""RandomInvert: inverts images (`high - x`) at random, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer, parse_factor

__all__ = ["RandomInvert"]


class RandomInvert(BaseRandomImageLayer):
    """Replaces an image by `value_range[1] - x` with a probability drawn from `factor`.

    As in Keras, the inverse is taken from the range's upper end only (for (0, 255) this is
    `255 - x`; for (-1, 1) it is `1 - x`).

    Args:
        factor: the inversion probability is drawn from `[0, f]` for a number `f`, from
            `[a, b]` for a pair, within [0, 1]. `(1.0, 1.0)` always inverts. Defaults to 1.0
            (a probability drawn from [0, 1] per image).
        value_range: the images' value range. Defaults to (0, 255).
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.tensor([0.0, 55.0]).reshape(1, 1, 2, 1)
        >>> RandomInvert(factor=(1.0, 1.0))(image, training=True).flatten().tolist()
        [255.0, 200.0]
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed: int | None = None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.value_range = value_range

    def transform(self, images, generator):
        shape = (images.shape[0], 1, 1, 1)
        probability = self.uniform(shape, self.factor[0], self.factor[1], generator, images)
        apply = self.uniform(shape, 0.0, 1.0, generator, images) < probability
        return torch.where(apply, self.value_range[1] - images, images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
