"""RandomGaussianBlur: blurs a random share of the images with a Gaussian kernel, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer, parse_factor
from lamina.ops.image import gaussian_blur

__all__ = ["RandomGaussianBlur"]


def parse_kernel_size(kernel_size, name: str = "kernel_size") -> tuple:
    """`(kx, ky)` from an odd number or a pair of odd numbers, as Keras checks them."""
    message = f"{name} must be an odd number. Received: {name}={kernel_size}"
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"The `{name}` argument should be a number (or a list of two "
                             f"numbers) Received: {name}={kernel_size}")
        if kernel_size[0] % 2 == 0 or kernel_size[1] % 2 == 0:
            raise ValueError(message)
        return tuple(kernel_size)
    if isinstance(kernel_size, (int, float)) and not isinstance(kernel_size, bool):
        if kernel_size % 2 == 0:
            raise ValueError(message)
        return kernel_size, kernel_size
    raise ValueError(message)


class RandomGaussianBlur(BaseRandomImageLayer):
    """Blurs each image with probability `p`, `p` drawn per image from `factor`; one sigma
    pair, drawn from `sigma`, serves the whole batch (as Keras).

    The blur is `keras.ops.image.gaussian_blur` (zero padding at the borders) with standard
    deviations `sigma + 1e-6`; the result is clipped to `value_range`.

    Args:
        factor: the blur probability: `[0, f]` for a number `f`, `[a, b]` for a pair, in
            [0, 1]. Defaults to 1.0.
        kernel_size: an odd int, or a pair of odd ints `(kx, ky)`. Defaults to 3.
        sigma: the standard deviation's range, a number `s` (`[0, s]`) or a pair, in [0, 1].
            Defaults to 1.0.
        value_range: the images' value range. Defaults to (0, 255).
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> images = torch.full((2, 5, 5, 3), 100.0)
        >>> out = RandomGaussianBlur(factor=(1.0, 1.0), seed=0)(images, training=True)
        >>> round(out[0, 2, 2, 0].item(), 3), round(out[0, 0, 0, 0].item(), 1) < 100.0
        (100.0, True)
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed: int | None = None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.kernel_size = parse_kernel_size(kernel_size)
        self.sigma = parse_factor(sigma, "sigma", bounds=(0.0, 1.0))
        self.value_range = value_range

    def transform(self, images, generator):
        batch = images.shape[0]
        probability = self.uniform((batch,), self.factor[0], self.factor[1], generator, images)
        threshold = self.uniform((batch,), 0.0, 1.0, generator, images)
        sigma = self.uniform((2,), self.sigma[0], self.sigma[1], generator, images) + 1e-6
        blurred = gaussian_blur(images, kernel_size=self.kernel_size, sigma=sigma,
                                data_format=self.data_format)
        outputs = torch.where((threshold < probability)[:, None, None, None], blurred, images)
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range, "seed": self.seed}
