"""UpSampling1D/2D/3D: repeats (nearest) and half-pixel bilinear, as Keras computes them."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.UpSampling1D, {"size": 3}, (2, 4, 2), (2, 12, 2)),
    (layers.UpSampling2D, {}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling2D, {"interpolation": "bilinear", "size": (1, 3)}, (2, 3, 4, 2), (2, 3, 12, 2)),
    (layers.UpSampling3D, {"data_format": "channels_first"}, (1, 2, 2, 3, 2), (1, 2, 4, 6, 4)),
])
def test_run_layer_test(cls, kwargs, input_shape, output_shape):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=0, supports_masking=False)


@pytest.mark.parametrize("size", [(2, 3), (3, 7), (5, 1)])
def test_nearest_equals_numpy_repeat_on_odd_sizes(size):
    x = np.random.default_rng(1).standard_normal((2, 7, 13, 3)).astype("float32")
    out = layers.UpSampling2D(size)(x).numpy()
    np.testing.assert_array_equal(out, x.repeat(size[0], axis=1).repeat(size[1], axis=2))


def test_up_sampling3d_equals_numpy_repeat():
    x = np.random.default_rng(2).standard_normal((1, 3, 5, 2, 2)).astype("float32")
    out = layers.UpSampling3D((3, 2, 5))(x).numpy()
    np.testing.assert_array_equal(out, x.repeat(3, 1).repeat(2, 2).repeat(5, 3))


def test_bilinear_on_a_ramp_uses_half_pixel_centres():
    x = torch.tensor([0.0, 1.0]).reshape(1, 1, 2, 1)
    out = layers.UpSampling2D((1, 2), interpolation="BiLinear")(x).flatten()
    torch.testing.assert_close(out, torch.tensor([0.0, 0.25, 0.75, 1.0]))


def test_output_is_channels_last_contiguous():
    assert layers.UpSampling2D(interpolation="bilinear")(torch.randn(2, 3, 3, 4)).is_contiguous()


def test_unknown_dims_stay_unknown():
    out = layers.UpSampling2D((2, 3))(lamina.Input((None, 5, 2)))
    assert tuple(out.shape) == (None, None, 15, 2)


def test_bad_arguments():
    with pytest.raises(TypeError, match="Expected an integer value for `size`, got tuple"):
        layers.UpSampling1D((2,))
    with pytest.raises(ValueError, match="`size` should be a positive integer. Received: size=0"):
        layers.UpSampling1D(0)
    with pytest.raises(ValueError, match=r"including values \[0\] that do not satisfy `value > 0`"):
        layers.UpSampling2D((2, 0))
    with pytest.raises(ValueError, match=r"`interpolation` should be one of .*"
                                         r" Received: interpolation='cubic'"):
        layers.UpSampling2D(interpolation="cubic")
