"""RandomGrayscale: turns images to grayscale at random, in training (keeping the channels)."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer
from lamina.ops.image import rgb_to_grayscale

__all__ = ["RandomGrayscale"]


class RandomGrayscale(BaseRandomImageLayer):
    """With probability `factor`, replaces each channel of an image by its luminance.

    The luminance is `0.2989 R + 0.5870 G + 0.1140 B`, repeated over the three channels so
    the shape stays `(..., 3)`.

    Args:
        factor: the probability of turning an image gray, in [0, 1]. Defaults to 0.5.
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws (not kept in the config, as in Keras).

    Example:
        >>> image = torch.tensor([100.0, 50.0, 0.0]).reshape(1, 1, 1, 3)
        >>> gray = RandomGrayscale(factor=1.0)(image, training=True)
        >>> [round(v, 2) for v in gray.flatten().tolist()]
        [59.24, 59.24, 59.24]
    """

    def __init__(self, factor: float = 0.5, data_format=None, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor

    def transform(self, images, generator):
        apply = self.uniform((images.shape[0], 1, 1, 1), 0.0, 1.0, generator, images) < self.factor
        gray = rgb_to_grayscale(images, data_format=self.data_format)
        return torch.where(apply, gray, images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}
