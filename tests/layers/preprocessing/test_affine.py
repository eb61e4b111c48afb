"""Keras' affine transform on F.grid_sample against a float64 NumPy `map_coordinates`."""
import numpy as np
import pytest
import torch

from lamina.layers.preprocessing.affine import affine_transform, rotation_matrix


def _fix_index(index, size, mode):
    """Keras' (and SciPy's) index fixers for out-of-range neighbours."""
    if mode in ("constant", "nearest"):
        return np.clip(index, 0, size - 1)
    if mode == "wrap":
        return index % size
    mirrored = np.abs((2 * index + 1 + 2 * size) % (4 * size) - 2 * size)  # reflect
    return (mirrored - 1) // 2


def _reference(images, transform, interpolation, fill_mode, fill_value):
    batch, height, width, _ = images.shape
    out = np.zeros(images.shape, dtype="float64")
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    for n in range(batch):
        a0, a1, a2, b0, b1, b2 = transform[n, :6].astype("float64")
        x, y = a0 * cols + a1 * rows + a2, b0 * cols + b1 * rows + b2
        if interpolation == "nearest":
            nodes_x, nodes_y = [(np.round(x), np.ones_like(x))], [(np.round(y), np.ones_like(y))]
        else:
            fx, fy = np.floor(x), np.floor(y)
            nodes_x = [(fx, 1 - (x - fx)), (fx + 1, x - fx)]
            nodes_y = [(fy, 1 - (y - fy)), (fy + 1, y - fy)]
        for ix, wx in nodes_x:
            for iy, wy in nodes_y:
                ix, iy = ix.astype(int), iy.astype(int)
                valid = (ix >= 0) & (ix < width) & (iy >= 0) & (iy < height)
                values = images[n][_fix_index(iy, height, fill_mode),
                                   _fix_index(ix, width, fill_mode)]
                if fill_mode == "constant":
                    values = np.where(valid[..., None], values, fill_value)
                out[n] += (wx * wy)[..., None] * values
    return out


@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "reflect", "wrap"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_matches_map_coordinates(fill_mode, interpolation):
    rng = np.random.default_rng(0)
    images = rng.random((3, 6, 9, 2)).astype("float32")
    # Rotation, anisotropic scale, shear and large shifts (far outside the image).
    transform = np.zeros((3, 8), "float32")
    # (Irregular values: no sampled point lands on a rounding tie of "nearest".)
    transform[:, :6] = [[0.8137, -0.4329, 2.3711, 0.5213, 0.9307, -1.7093],
                        [1.7321, 0.2113, -9.8317, -0.3419, 0.6203, 3.2917],
                        [-0.9109, 0.1231, 14.4307, 0.0811, -1.2713, 11.6101]]
    got = affine_transform(torch.as_tensor(images), torch.as_tensor(transform), interpolation,
                           fill_mode, fill_value=0.25)
    expected = _reference(images, transform, interpolation, fill_mode, 0.25)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=2e-5)


def test_channels_first_equals_channels_last():
    images = torch.rand(2, 5, 7, 3)
    transform = rotation_matrix(torch.tensor([0.4, -1.1]), 5, 7)
    last = affine_transform(images, transform, fill_mode="reflect")
    first = affine_transform(images.permute(0, 3, 1, 2), transform, fill_mode="reflect",
                             data_format="channels_first")
    torch.testing.assert_close(first.permute(0, 2, 3, 1), last)


def test_half_turn_is_a_double_flip():
    images = torch.rand(2, 5, 7, 3)
    turned = affine_transform(images, rotation_matrix(torch.full((2,), np.pi), 5, 7))
    torch.testing.assert_close(turned, images.flip(1).flip(2), rtol=1e-5, atol=1e-5)
