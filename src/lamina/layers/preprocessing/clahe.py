"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): equalizes each tile of each channel
with a clipped histogram and blends neighbouring tiles' mappings (always, as in Keras)."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import (BaseImagePreprocessingLayer,
                                                          transform_value_range)

__all__ = ["ContrastLimitedAdaptiveHistogramEqualization"]


class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    """Keras' CLAHE: per tile and channel, a 256-bin histogram clipped at
    `clip_limit * pixels / 256` (the excess spread evenly), its normalized CDF as the tile's
    mapping, and each pixel mapped by the bilinear blend of its four nearest tiles' mappings.

    Images are mapped from `value_range` to [0, 255] and back; an image whose size is not a
    multiple of the grid is padded symmetrically first (the padding is cropped at the end).
    Applied in training and inference alike.

    Args:
        value_range: the images' value range. Defaults to (0, 255).
        clip_limit: the histogram's clip, in multiples of a uniform bin (0 or less: no clip).
            Defaults to 4.0.
        tile_grid_size: the grid `(rows, columns)` of tiles. Defaults to (8, 8).
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.randint(0, 256, (1, 32, 32, 3)).float()
        >>> ContrastLimitedAdaptiveHistogramEqualization()(images).shape
        torch.Size([1, 32, 32, 3])
    """

    applies_in_inference = True

    def __init__(self, value_range=(0, 255), clip_limit: float = 4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def transform(self, images, generator=None):
        channels_first = self.data_format == "channels_first"
        pixels = images.permute(0, 2, 3, 1) if channels_first else images
        levels = transform_value_range(pixels.to(torch.float32), self.value_range, (0, 255))
        levels = transform_value_range(self._equalize(levels), (0, 255), self.value_range)
        levels = levels.to(images.dtype)
        return levels.permute(0, 3, 1, 2) if channels_first else levels

    def _equalize(self, images: torch.Tensor) -> torch.Tensor:
        """CLAHE of float images `(N, H, W, C)` in [0, 255]."""
        batch, height, width, channels = images.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded = _pad_symmetric(images, tile_h * grid_h - height, tile_w * grid_w - width)
        mappings = self._tile_mappings(padded, tile_h, tile_w)
        # One extra tile on every side repeats the edge tiles' mappings.
        mappings = torch.cat([mappings[:, :1], mappings, mappings[:, -1:]], dim=1)
        mappings = torch.cat([mappings[:, :, :1], mappings, mappings[:, :, -1:]], dim=2)
        y0, y1, wy = _neighbours(tile_h * grid_h, tile_h, grid_h, images.device)
        x0, x1, wx = _neighbours(tile_w * grid_w, tile_w, grid_w, images.device)
        values = padded.clamp(0, 255).to(torch.int64)
        b = torch.arange(batch, device=images.device)[:, None, None, None]
        c = torch.arange(channels, device=images.device)[None, None, None, :]
        y0, y1, wy = y0[None, :, None, None], y1[None, :, None, None], wy[None, :, None, None]
        x0, x1, wx = x0[None, None, :, None], x1[None, None, :, None], wx[None, None, :, None]
        top = mappings[b, y0, x0, c, values] * (1.0 - wx) + mappings[b, y0, x1, c, values] * wx
        bottom = mappings[b, y1, x0, c, values] * (1.0 - wx) + mappings[b, y1, x1, c, values] * wx
        result = top * (1.0 - wy) + bottom * wy
        return result[:, :height, :width, :]

    def _tile_mappings(self, padded: torch.Tensor, tile_h: int, tile_w: int) -> torch.Tensor:
        """`(N, rows, columns, C, 256)`: each tile's clipped, normalized CDF."""
        batch, _, _, channels = padded.shape
        grid_h, grid_w = self.tile_grid_size
        tiles = padded.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels)
        tiles = tiles.permute(0, 1, 3, 5, 2, 4).reshape(batch, grid_h, grid_w, channels, -1)
        bins = tiles.to(torch.int32).clamp(0, 255).to(torch.int64)
        hists = torch.zeros((*bins.shape[:-1], 256), dtype=torch.float32, device=padded.device)
        hists.scatter_add_(-1, bins, torch.ones_like(bins, dtype=torch.float32))
        area = tile_h * tile_w
        if self.clip_limit > 0:
            clipped = hists.clamp(0, self.clip_limit * area / 256.0)
            hists = clipped + (hists - clipped).sum(dim=-1, keepdim=True) / 256.0
        cdf = torch.cumsum(hists, dim=-1)
        cdf_min = cdf.amin(dim=-1, keepdim=True)
        denominator = area - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        return ((cdf - cdf_min) * 255.0 / denominator).clamp(0, 255)

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size,
                "data_format": self.data_format}


def _pad_symmetric(images: torch.Tensor, pad_h: int, pad_w: int) -> torch.Tensor:
    """Pads rows at the bottom and columns at the right with their mirror, edge included."""
    if pad_h:
        images = torch.cat([images, images[:, -pad_h:].flip(1)], dim=1)
    if pad_w:
        images = torch.cat([images, images[:, :, -pad_w:].flip(2)], dim=2)
    return images


def _neighbours(size: int, tile: int, grid: int, device):
    """Each pixel's two neighbouring tiles (in the edge-padded grid) and the second's weight."""
    position = (torch.arange(size, dtype=torch.float32, device=device) - tile / 2.0) / tile + 1.0
    lower = torch.floor(position)
    weight = position - lower
    first = lower.clamp(0, grid + 1).to(torch.int64)
    second = (lower + 1.0).clamp(0, grid + 1).to(torch.int64)
    return first, second, weight
