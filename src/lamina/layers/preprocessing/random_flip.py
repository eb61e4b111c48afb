"""RandomFlip: mirrors images left-right and/or top-bottom at random, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer

__all__ = ["RandomFlip"]

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(BaseRandomImageLayer):
    """Flips each image with probability 1/2 in training; passes images through otherwise.

    Args:
        mode: "horizontal" (left-right), "vertical" (top-bottom) or "horizontal_and_vertical"
            (as Keras: one draw per image, which then flips both ways, i.e. a 180° turn).
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.arange(3.0).reshape(1, 1, 3, 1)
        >>> flipped = RandomFlip("horizontal", seed=1)(image.repeat(8, 1, 1, 1), training=True)
        >>> sorted({tuple(row) for row in flipped[:, 0, :, 0].tolist()})
        [(0.0, 1.0, 2.0), (2.0, 1.0, 0.0)]
    """

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument "
                             f"{mode!r}. Expected one of 'horizontal', 'vertical' or "
                             f"'horizontal_and_vertical'.")
        self.mode = mode

    def transform(self, images, generator):
        flips = self.uniform((images.shape[0], 1, 1, 1), 0.0, 1.0, generator, images) <= 0.5
        outputs = images
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            outputs = torch.where(flips, outputs.flip(self.width_axis), outputs)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            outputs = torch.where(flips, outputs.flip(self.height_axis), outputs)
        return outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}
