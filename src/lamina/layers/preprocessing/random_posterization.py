"""RandomPosterization: keeps only the top bits of each 8-bit colour value, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, parse_factor,
                                                          parse_value_range,
                                                          transform_value_range)

__all__ = ["RandomPosterization"]

_MAX_BITS = 8


class RandomPosterization(BaseRandomImageLayer):
    """Reduces each image to `bits` bits per channel: `(x >> (8 - bits)) << (8 - bits)`.

    Values are mapped from `value_range` to [0, 255], truncated to 8-bit integers, posterized,
    and mapped back, as Keras does.

    Args:
        factor: the number of bits kept, in [1, 8]. A pair `(a, b)` with `a < b` draws an
            integer from `[a, b)` per image; `(b, b)` always keeps `b` bits; as in Keras a
            number `f` means `(1, f)`.
        value_range: the images' value range. Defaults to (0, 255).
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> image = torch.tensor([37.0, 200.0]).reshape(1, 1, 2, 1)
        >>> RandomPosterization(factor=(2, 2))(image, training=True).flatten().tolist()
        [0.0, 192.0]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(1, _MAX_BITS))
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator):
        batch = images.shape[0]
        low, high = int(self.factor[0]), int(self.factor[1])
        if low != high:
            bits = torch.randint(low, high, (batch,), generator=generator, device=images.device)
        else:
            bits = torch.full((batch,), low, device=images.device)
        shifts = (_MAX_BITS - bits).to(torch.uint8).reshape(batch, 1, 1, 1)
        levels = transform_value_range(images, self.value_range, (0, 255)).to(torch.uint8)
        levels = torch.bitwise_left_shift(torch.bitwise_right_shift(levels, shifts), shifts)
        return transform_value_range(levels.to(images.dtype), (0, 255), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
