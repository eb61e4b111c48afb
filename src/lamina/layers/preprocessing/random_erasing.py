"""RandomErasing: fills a random rectangle of each image with noise or a value, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer, parse_factor

__all__ = ["RandomErasing"]

_FILL_ERROR = "The `fill_value` argument should be a number (or a list of three numbers) "


def box_masks(images: torch.Tensor, height_axis: int, width_axis: int, width_ratio, height_ratio,
              generator, uniform):
    """Boolean masks broadcastable to `images` of one box per image, and the box sizes.

    A box covers `ratio * size` along each axis, placed uniformly inside the image (Keras'
    `_compute_crop_bounds`; x first, then y).

    Returns:
        `(masks, widths, heights)`, the masks shaped `(N, H, W, 1)` or `(N, 1, H, W)`.
    """
    batch = images.shape[0]
    height, width = images.shape[height_axis], images.shape[width_axis]

    def bounds(length, ratio):
        crop = ratio * length
        start = uniform((batch,), 0.0, 1.0, generator, images) * (length - crop)
        return start, start + crop

    x0, x1 = bounds(width, width_ratio)
    y0, y1 = bounds(height, height_ratio)
    rows = torch.arange(height, dtype=images.dtype, device=images.device)
    cols = torch.arange(width, dtype=images.dtype, device=images.device)
    inside_x = (cols >= x0[:, None]) & (cols < x1[:, None])
    inside_y = (rows >= y0[:, None]) & (rows < y1[:, None])
    masks = inside_y[:, :, None] & inside_x[:, None, :]
    masks = masks.unsqueeze(-1) if height_axis == -3 else masks.unsqueeze(1)
    return masks, x1 - x0, y1 - y0


class RandomErasing(BaseRandomImageLayer):
    """Replaces a random box of each image (area fraction drawn from `scale`) by `fill_value`,
    with a probability drawn from `factor`, in training.

    Args:
        factor: the erasing probability is drawn from `[0, f]` for a number `f`, from `[a, b]`
            for a pair, within [0, 1]. Defaults to 1.0.
        scale: the range of the box's area fraction per axis-squared, in [0, 1]. Defaults to
            (0.02, 0.33).
        fill_value: None (default: Gaussian noise times `value_range[1]`, clipped), a number, or
            three numbers (one per channel).
        value_range: the images' value range. Defaults to (0, 255).
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.full((2, 6, 6, 3), 100.0)
        >>> out = RandomErasing(factor=(1.0, 1.0), fill_value=0.0, seed=1)(images, training=True)
        >>> bool((out == 0).any()), bool((out == 100).any())
        (True, True)
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.scale = parse_factor(scale, "scale", bounds=(0.0, 1.0))
        if fill_value is not None and not (
                (isinstance(fill_value, (int, float)) and not isinstance(fill_value, bool))
                or (isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)):
            raise ValueError(_FILL_ERROR + f"Received: fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.value_range = value_range

    def transform(self, images, generator):
        batch = images.shape[0]
        sides = self.uniform((batch, 2), self.scale[0], self.scale[1], generator, images).sqrt()
        masks, _, _ = box_masks(images, self.height_axis, self.width_axis, sides[:, 0],
                                sides[:, 1], generator, self.uniform)
        probability = self.uniform((batch,), self.factor[0], self.factor[1], generator, images)
        apply = self.uniform((batch,), 0.0, 1.0, generator, images) < probability
        fill = self._fill(images, generator).clamp(self.value_range[0], self.value_range[1])
        erase = masks & apply.reshape(batch, 1, 1, 1)
        return torch.where(erase, fill, images)

    def _fill(self, images, generator) -> torch.Tensor:
        if self.fill_value is None:
            noise = torch.randn(images.shape, generator=generator, dtype=images.dtype,
                                device=images.device)
            return noise * self.value_range[1]
        values = torch.as_tensor(self.fill_value, dtype=images.dtype, device=images.device)
        if values.dim() and self.data_format == "channels_first":
            values = values.reshape(-1, 1, 1)
        return values.expand_as(images)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range,
                "seed": self.seed}
