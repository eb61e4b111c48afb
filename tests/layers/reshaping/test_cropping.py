"""Cropping1D/2D/3D: NumPy slicing reference, unknown dims, cropping larger than the input."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.Cropping1D, {"cropping": (1, 2)}, (2, 6, 3), (2, 3, 3)),
    (layers.Cropping2D, {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 3), (2, 3, 2, 3)),
    (layers.Cropping2D, {"cropping": 1, "data_format": "channels_first"}, (2, 3, 4, 5), (2, 3, 2, 3)),
    (layers.Cropping3D, {}, (1, 3, 4, 5, 2), (1, 1, 2, 3, 2)),
])
def test_run_layer_test(cls, kwargs, input_shape, output_shape):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=0, supports_masking=False)


def test_cropping2d_matches_numpy_slicing():
    x = np.arange(2 * 6 * 7 * 2, dtype="float32").reshape(2, 6, 7, 2)
    out = layers.Cropping2D(((1, 2), (3, 0)))(x).numpy()
    np.testing.assert_array_equal(out, x[:, 1:-2, 3:, :])


def test_unknown_spatial_dims_stay_unknown():
    out = layers.Cropping2D(((1, 1), (2, 2)))(lamina.Input((None, 10, 3)))
    assert tuple(out.shape) == (None, None, 6, 3)


@pytest.mark.parametrize("layer, shape", [
    (layers.Cropping1D((2, 3)), (1, 5, 2)),
    (layers.Cropping2D(((0, 0), (2, 2))), (1, 8, 4, 1)),
    (layers.Cropping3D(1), (1, 4, 2, 4, 1)),
])
def test_cropping_larger_than_the_input(layer, shape):
    with pytest.raises(ValueError, match=r"values in `cropping` argument should be smaller than the "
                                         r"corresponding spatial dimension .* leaves nothing"):
        layer(torch.ones(shape))


def test_cropping_larger_than_a_symbolic_input():
    with pytest.raises(ValueError, match=r"Cropping2D 'crop': .* "
                                         r"Received: input_shape=\(None, 3, 8, 1\)"):
        layers.Cropping2D(((2, 1), (0, 0)), name="crop")(lamina.Input((3, 8, 1)))


@pytest.mark.parametrize("cropping, message", [
    (-1, "`cropping` cannot be negative"),
    ((1, 2, 3), "`cropping` should have 2 elements"),
    (((1, -1), 0), r"The `1st entry of cropping` argument must be a tuple of 2 integers"),
    ("same", r"should be either an int, a tuple of 2 ints"),
])
def test_bad_cropping_arguments(cropping, message):
    with pytest.raises(ValueError, match=message):
        layers.Cropping2D(cropping)
