"""Equalization: histogram equalization of each colour channel, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import (BaseImagePreprocessingLayer,
                                                          parse_value_range,
                                                          transform_value_range)

__all__ = ["Equalization"]


class Equalization(BaseImagePreprocessingLayer):
    """Spreads each channel's values evenly over [0, 255] through its cumulative histogram.

    As in Keras: on the [0, 255] scale a channel's histogram has `bins` bins and is taken
    over the whole batch; values are looked up in `round(255 * (cdf - cdf_min) /
    (cdf_max - cdf_min))`; a channel whose values fall in one bin is left as it is. The layer
    is deterministic and, like Keras', transforms only in training.

    Args:
        value_range: the images' value range. Defaults to (0, 255).
        bins: the number of histogram bins. Defaults to 256.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.tensor([10.0, 10.0, 20.0, 30.0]).reshape(1, 2, 2, 1)
        >>> Equalization()(image, training=True).flatten().tolist()
        [0.0, 0.0, 128.0, 255.0]
    """

    def __init__(self, value_range=(0, 255), bins: int = 256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = parse_value_range(value_range)

    def transform(self, images, generator=None):
        channel_axis = 1 if self.data_format == "channels_first" else images.dim() - 1
        channels = images.movedim(channel_axis, 0).flatten(1)  # (C, batch pixels)
        levels = transform_value_range(channels, self.value_range, (0, 255))
        equalized = self._equalize(levels)
        equalized = transform_value_range(equalized, (0, 255), self.value_range)
        moved_shape = images.movedim(channel_axis, 0).shape
        return equalized.reshape(moved_shape).movedim(0, channel_axis)

    def _equalize(self, levels: torch.Tensor) -> torch.Tensor:
        """Equalizes each row of `(C, pixels)` values on the [0, 255] scale."""
        bins = self.bins
        indices = (levels * (bins - 1) / 255.0).to(torch.int32).clamp(0, bins - 1).long()
        # scatter_add_ keeps the histogram on the device (bincount would read its size).
        histogram = torch.zeros(levels.shape[0], bins, dtype=torch.int64, device=levels.device)
        histogram.scatter_add_(1, indices, torch.ones_like(indices))
        cdf = histogram.cumsum(dim=1)
        first_used = (cdf > 0).to(torch.int32).argmax(dim=1, keepdim=True)
        cdf_min = cdf.gather(1, first_used)
        denominator = cdf[:, -1:] - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        table = ((cdf - cdf_min) * 255 / denominator).round().clamp(0, 255).to(levels.dtype)
        lookup = (levels / 255.0 * (bins - 1)).clamp(0, bins - 1).to(torch.int32).long()
        equalized = table.gather(1, lookup)
        one_bin = (histogram > 0).sum(dim=1, keepdim=True) <= 1
        return torch.where(one_bin, levels, equalized)

    def get_config(self) -> dict:
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}
