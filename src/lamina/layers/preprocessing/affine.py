"""Keras' `affine_transform` and `perspective_transform` of image batches, on `F.grid_sample`.

A transform `[a0, a1, a2, b0, b1, b2, c0, c1]` maps each output pixel `(x, y)` (column, row;
pixel centres at integers) to the input point `(a0 x + a1 y + a2, b0 x + b1 y + b2)`, which
is sampled bilinearly or at the nearest pixel. Points outside the image follow `fill_mode`
as Keras (and SciPy's `map_coordinates`) define it: "constant" (`fill_value`), "nearest"
(the edge pixel), "reflect" (`d c b a | a b c d | d c b a`) and "wrap" (`a b c d | a b c d`).

Example:
    >>> images = torch.arange(6.0).reshape(1, 2, 3, 1)
    >>> shift_left = torch.tensor([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]])
    >>> affine_transform(images, shift_left, fill_mode="constant")[0, :, :, 0].tolist()
    [[1.0, 2.0, 0.0], [4.0, 5.0, 0.0]]
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["affine_transform", "perspective_transform", "rotation_matrix", "shear_matrix"]

# fill_mode -> (grid_sample padding_mode, align_corners). Reflecting about the image edges
# (align_corners=False) and clipping is SciPy's "reflect" on the neighbours' indices.
_PADDING = {"constant": ("zeros", False), "nearest": ("border", False),
            "reflect": ("reflection", False), "wrap": ("border", True)}


def affine_transform(images: torch.Tensor, transform: torch.Tensor, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0,
                     data_format: str = "channels_last") -> torch.Tensor:
    """Applies one transform per image of a batch `(N, H, W, C)` (or `(N, C, H, W)`).

    Args:
        images: float images.
        transform: `(N, 8)` (or `(8,)` for all) Keras transform vectors; c0, c1 must be 0.
        interpolation: "bilinear" or "nearest".
        fill_mode: "constant", "nearest", "reflect" or "wrap".
        fill_value: the value outside the image for "constant".
        data_format: "channels_last" or "channels_first".

    Returns:
        The transformed images, in the input's layout.
    """
    # NHWC -> NCHW is a free view; grid_sample reads either memory layout.
    pixels = images.permute(0, 3, 1, 2) if data_format == "channels_last" else images
    batch, _, height, width = pixels.shape
    transform = transform.to(images.dtype).reshape(-1, 8).expand(batch, 8)
    a0, a1, a2, b0, b1, b2 = (transform[:, i, None, None] for i in range(6))
    cols, rows = _pixel_grid(height, width, images)
    x = a0 * cols + a1 * rows + a2
    y = b0 * cols + b1 * rows + b2
    outputs = _sample(pixels, x, y, interpolation, fill_mode, fill_value)
    return outputs.permute(0, 2, 3, 1) if data_format == "channels_last" else outputs


def perspective_transform(images: torch.Tensor, start_points: torch.Tensor,
                          end_points: torch.Tensor, interpolation: str = "bilinear",
                          fill_value: float = 0.0,
                          data_format: str = "channels_last") -> torch.Tensor:
    """Warps each image so that its `start_points` land on `end_points` (Keras' homography).

    Args:
        images: float images `(N, H, W, C)` (or `(N, C, H, W)`).
        start_points, end_points: `(N, 4, 2)` (or `(4, 2)`) corner points `(x, y)`.
        interpolation: "bilinear" or "nearest".
        fill_value: the value of points mapped from outside the image.
        data_format: "channels_last" or "channels_first".

    Returns:
        The warped images, in the input's layout.
    """
    pixels = images.permute(0, 3, 1, 2) if data_format == "channels_last" else images
    batch, _, height, width = pixels.shape
    start = start_points.to(torch.float32).reshape(-1, 4, 2).expand(batch, 4, 2)
    end = end_points.to(torch.float32).reshape(-1, 4, 2).expand(batch, 4, 2)
    t = [c[:, None, None].to(images.dtype) for c in _homography(start, end).unbind(dim=1)]
    cols, rows = _pixel_grid(height, width, images)
    denominator = t[6] * cols + t[7] * rows + 1.0
    x = (t[0] * cols + t[1] * rows + t[2]) / denominator
    y = (t[3] * cols + t[4] * rows + t[5]) / denominator
    outputs = _sample(pixels, x, y, interpolation, "constant", fill_value)
    return outputs.permute(0, 2, 3, 1) if data_format == "channels_last" else outputs


def _homography(start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """`(N, 8)` coefficients mapping output points `end` to input points `start`."""
    start_x, start_y = start[..., 0], start[..., 1]
    end_x, end_y = end[..., 0], end[..., 1]
    zeros, ones = torch.zeros_like(end_x), torch.ones_like(end_x)
    x_rows = torch.stack([end_x, end_y, ones, zeros, zeros, zeros, -start_x * end_x,
                          -start_x * end_y], dim=-1)
    y_rows = torch.stack([zeros, zeros, zeros, end_x, end_y, ones, -start_y * end_x,
                          -start_y * end_y], dim=-1)
    coefficients = torch.cat([x_rows, y_rows], dim=1)
    targets = torch.cat([start_x, start_y], dim=-1).unsqueeze(-1)
    # solve_ex: no host read of the error flag, unlike linalg.solve on CUDA.
    return torch.linalg.solve_ex(coefficients, targets)[0].squeeze(-1)


def _pixel_grid(height: int, width: int, like: torch.Tensor):
    """Column and row indices broadcastable to `(N, H, W)`."""
    rows = torch.arange(height, device=like.device, dtype=like.dtype)[None, :, None]
    cols = torch.arange(width, device=like.device, dtype=like.dtype)[None, None, :]
    return cols, rows


def _sample(pixels: torch.Tensor, x: torch.Tensor, y: torch.Tensor, interpolation: str,
            fill_mode: str, fill_value: float) -> torch.Tensor:
    """`pixels` `(N, C, H, W)` read at the input points `(x, y)` `(N, H', W')`."""
    height, width = pixels.shape[-2:]
    padding_mode, align_corners = _PADDING[fill_mode]
    if fill_mode == "wrap":
        # One wrapped pixel on each side, and coordinates wrapped into [1, size + 1): the
        # neighbours of every point are then the wrapped ones.
        pixels = F.pad(pixels, (1, 1, 1, 1), mode="circular")
        x, y = torch.remainder(x, width) + 1, torch.remainder(y, height) + 1
        height, width = height + 2, width + 2
    grid = torch.stack([_normalize(x, width, align_corners), _normalize(y, height, align_corners)],
                       dim=-1)
    mode = "nearest" if interpolation == "nearest" else "bilinear"
    outputs = F.grid_sample(pixels, grid, mode=mode, padding_mode=padding_mode,
                            align_corners=align_corners)
    if fill_mode == "constant" and fill_value != 0:
        inside = F.grid_sample(torch.ones_like(pixels[:, :1]), grid, mode=mode,
                               padding_mode="zeros", align_corners=align_corners)
        outputs = outputs + fill_value * (1.0 - inside)
    return outputs


def _normalize(coordinate: torch.Tensor, size: int, align_corners: bool) -> torch.Tensor:
    """Pixel coordinates -> grid_sample's [-1, 1] (pixel centres at -1 and 1, or edges there)."""
    if align_corners:
        return coordinate * (2.0 / max(size - 1, 1)) - 1.0
    return (2.0 * coordinate + 1.0) / size - 1.0


def rotation_matrix(angles: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Keras' transforms `(N, 8)` rotating each image by `angles` (radians) about its centre."""
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = torch.cos(angles), torch.sin(angles)
    zeros = torch.zeros_like(angles)
    return torch.stack([cos, -sin, cx - cx * cos + cy * sin,
                        sin, cos, cy - cx * sin - cy * cos, zeros, zeros], dim=-1)


def shear_matrix(shear_x: torch.Tensor, shear_y: torch.Tensor) -> torch.Tensor:
    """Keras' transforms `(N, 8)` `[1, sx, 0, sy, 1, 0, 0, 0]` shearing about the origin."""
    ones, zeros = torch.ones_like(shear_x), torch.zeros_like(shear_x)
    return torch.stack([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], dim=-1)
