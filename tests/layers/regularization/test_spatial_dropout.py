"""SpatialDropout1D/2D/3D: whole channels dropped in training, seeded, Keras' config."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test

SPATIAL = [(layers.SpatialDropout1D, (2, 5, 8)), (layers.SpatialDropout2D, (2, 4, 3, 8)),
           (layers.SpatialDropout3D, (2, 3, 2, 2, 8))]


@pytest.mark.parametrize("cls, input_shape", SPATIAL)
def test_run_layer_test(cls, input_shape):
    run_layer_test(cls, {"rate": 0.5, "seed": 1}, input_shape=input_shape,
                   expected_output_shape=input_shape, expected_num_trainable_weights=0,
                   supports_masking=True, training_differs=True)


@pytest.mark.parametrize("cls, input_shape", SPATIAL)
def test_channels_are_kept_or_dropped_whole(cls, input_shape):
    x = torch.rand(input_shape) + 1.0
    out = cls(0.4, seed=3)(x, training=True)
    dropped = (out == 0).reshape(input_shape[0], -1, input_shape[-1])
    assert (dropped == dropped[:, :1]).all() and dropped.any() and not dropped.all()
    torch.testing.assert_close(out[out != 0], x[out != 0] / 0.6)


def test_channels_first_drops_along_axis_1():
    x = torch.ones(2, 6, 3, 3)
    out = layers.SpatialDropout2D(0.5, data_format="channels_first", seed=0)(x, training=True)
    assert (out == out[:, :, :1, :1]).all()
    assert not (out == out[:, :1]).all()


def test_drop_fraction_follows_the_rate():
    out = layers.SpatialDropout1D(0.3, seed=0)(torch.ones(400, 2, 50), training=True)
    assert abs(float((out[:, 0] == 0).float().mean()) - 0.3) < 0.02


def test_seed_repeats_and_calls_differ():
    x = torch.ones(4, 3, 16)
    first, second = layers.SpatialDropout1D(0.5, seed=7), layers.SpatialDropout1D(0.5, seed=7)
    a, b = first(x, training=True), second(x, training=True)
    torch.testing.assert_close(a, b)
    assert not torch.equal(first(x, training=True), a)


def test_identity_in_inference_and_at_rate_zero():
    x = torch.randn(2, 3, 4)
    assert layers.SpatialDropout1D(0.9)(x) is x
    assert layers.SpatialDropout1D(0.0)(x, training=True) is x


def test_config_matches_keras():
    assert layers.SpatialDropout1D(0.5).get_config() == {
        "rate": 0.5, "seed": None, "name": "spatial_dropout1d", "dtype": "float32"}
    assert layers.SpatialDropout2D(0.5, seed=2).get_config() == {
        "rate": 0.5, "seed": 2, "name": "spatial_dropout2d", "dtype": "float32",
        "data_format": "channels_last"}


def test_wrong_rank_gets_keras_message():
    with pytest.raises(ValueError, match=r'Input 0 of layer "spatial_dropout2d" is incompatible '
                                         r"with the layer: expected ndim=4, found ndim=3"):
        layers.SpatialDropout2D(0.5)(torch.ones(2, 3, 4))


def test_bad_data_format_and_seed():
    with pytest.raises(ValueError, match=r"`data_format` argument must be one of .* "
                                         r"Received: data_format='nhwc'"):
        layers.SpatialDropout2D(0.5, data_format="nhwc")
    with pytest.raises(ValueError, match=r"`seed` must be an integer or None. Received: seed=1.5"):
        layers.SpatialDropout1D(0.5, seed=1.5)


def test_is_a_dropout_as_in_keras():
    assert isinstance(layers.SpatialDropout3D(0.1), layers.Dropout)
    assert np.isclose(layers.SpatialDropout3D(0.1).rate, 0.1)
