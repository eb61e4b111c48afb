"""RandomShear: shears images along x and/or y by random amounts, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.affine import affine_transform, shear_matrix
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer, check_fill_mode,
                                                          check_interpolation)

__all__ = ["RandomShear"]

_FACTOR_ERROR = ("The `factor` argument should be a number (or a list of two numbers) in the "
                 "range [0, 1.0]. ")


def _parse_shear_factor(factor, name: str) -> tuple:
    """Keras' rule: a number `f` in [0, 1] gives `(-f, f)`; a pair is sorted.

    Keras also requires a pair's values in [0, 1], so its own config `(-f, f)` fails to load
    there; lamina accepts pairs in [-1, 1] so that a saved layer loads again.
    """
    def check(value, low=0.0):
        if value > 1.0 or value < low:
            raise ValueError(_FACTOR_ERROR + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(_FACTOR_ERROR + f"Received: {name}={factor}")
        check(factor[0], low=-1.0)
        check(factor[1], low=-1.0)
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return -abs(factor), abs(factor)
    raise ValueError(_FACTOR_ERROR + f"Received: {name}={factor}")


class RandomShear(BaseRandomImageLayer):
    """Maps each output pixel `(x, y)` to the input point `(x + sx*y, sy*x + y)`, in training.

    `sx` and `sy` are drawn from `x_factor` and `y_factor`, and one random sign per image
    flips both, as in Keras.

    Args:
        x_factor: shear along x: a number `f` gives `[-f, f]`, a pair `(a, b)` gives `[a, b]`,
            each in [0, 1]. Defaults to 0.
        y_factor: shear along y, the same way. Defaults to 0.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: points outside the image: "reflect" (default), "wrap", "constant" or
            "nearest".
        fill_value: the value outside the image for fill_mode="constant".
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> image = torch.arange(9.0).reshape(1, 3, 3, 1)
        >>> RandomShear(x_factor=0.3, seed=0)(image, training=True).shape
        torch.Size([1, 3, 3, 1])
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation: str = "bilinear",
                 fill_mode: str = "reflect", fill_value: float = 0.0, data_format=None,
                 seed: int | None = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.x_factor = _parse_shear_factor(x_factor, "x_factor")
        self.y_factor = _parse_shear_factor(y_factor, "y_factor")
        self.fill_mode = check_fill_mode(fill_mode)
        self.interpolation = check_interpolation(interpolation)
        self.fill_value = fill_value

    def transform(self, images, generator):
        batch = images.shape[0]
        signs = torch.where(self.uniform((batch,), 0.0, 1.0, generator, images) > 0.5, -1.0, 1.0)
        shear_y = self.uniform((batch,), self.y_factor[0], self.y_factor[1], generator, images)
        shear_x = self.uniform((batch,), self.x_factor[0], self.x_factor[1], generator, images)
        matrix = shear_matrix(shear_x * signs, shear_y * signs)
        return affine_transform(images, matrix, self.interpolation, self.fill_mode,
                                self.fill_value, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value}
