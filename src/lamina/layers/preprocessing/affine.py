"""The transform matrices of Keras' geometric image layers (rotation, shear), and the warps
they feed, `affine_transform` and `perspective_transform` of `keras.ops.image`.

A transform `[a0, a1, a2, b0, b1, b2, c0, c1]` maps each output pixel `(x, y)` (column, row;
pixel centres at integers) to the input point `(a0 x + a1 y + a2, b0 x + b1 y + b2)`.

Example:
    >>> rotation_matrix(torch.zeros(1), 3, 3).tolist()
    [[1.0, -0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]
"""
from __future__ import annotations

import torch

from lamina.ops.image import affine_transform, perspective_transform

__all__ = ["affine_transform", "perspective_transform", "rotation_matrix", "shear_matrix"]


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
