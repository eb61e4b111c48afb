"""Solarization: inverts the pixels above a threshold (after an optional brightening)."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer,
                                                          parse_value_range,
                                                          transform_value_range)

__all__ = ["Solarization"]

_FACTOR_ERROR = ("The `addition_factor` and `threshold_factor` arguments should be a number (or a "
                 "list of two numbers) in the range [0, 1]. ")


def _parse_unit_factor(factor, name: str) -> tuple:
    """Keras' Solarization rule: a number `f` gives `(0, f)`, a pair is sorted; all in [0, 1]."""
    def check(value):
        if value > 1.0 or value < 0:
            raise ValueError(_FACTOR_ERROR + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(_FACTOR_ERROR + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return 0, factor
    raise ValueError(_FACTOR_ERROR + f"Received: {name}={factor}")


class Solarization(BaseRandomImageLayer):
    """On the [0, 255] scale: `x' = clip(x + addition, 0, 255)`, then `255 - x'` where
    `x' >= threshold`, in training.

    As in Keras, `addition` is drawn from `[a0, a1 * 255]` and `threshold` from
    `[t0, t1 * 255]` for factors `(a0, a1)` and `(t0, t1)`; the defaults (0) give
    `threshold = 0`, which inverts every pixel.

    Args:
        addition_factor: a number `f` (meaning `(0, f)`) or a pair in [0, 1]. Defaults to 0.
        threshold_factor: a number or a pair in [0, 1]. Defaults to 0.
        value_range: the images' value range. Defaults to (0, 255).
        seed: seed of the draws.

    Example:
        >>> image = torch.tensor([0.0, 0.25, 1.0]).reshape(1, 1, 3, 1)
        >>> Solarization(value_range=(0, 1))(image, training=True).flatten().tolist()
        [1.0, 0.75, 0.0]
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = _parse_unit_factor(addition_factor, "addition_factor")
        self.threshold_factor = _parse_unit_factor(threshold_factor, "threshold_factor")
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator):
        shape = (images.shape[0], 1, 1, 1)
        additions = self.uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255,
                                 generator, images)
        thresholds = self.uniform(shape, self.threshold_factor[0],
                                  self.threshold_factor[1] * 255, generator, images)
        levels = transform_value_range(images, self.value_range, (0, 255))
        levels = (levels + additions).clamp(0, 255)
        levels = torch.where(levels < thresholds, levels, 255 - levels)
        return transform_value_range(levels, (0, 255), self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}
