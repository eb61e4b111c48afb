"""AlphaDropout: Keras' affine correction of SELU's saturation value, training only."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test

ALPHA_P = -1.6732632423543772 * 1.0507009873554805


def test_run_layer_test():
    run_layer_test(layers.AlphaDropout, {"rate": 0.3, "seed": 0}, input_shape=(3, 4),
                   expected_output_shape=(3, 4), expected_num_trainable_weights=0,
                   supports_masking=True, training_differs=True)


def test_kept_and_dropped_units_follow_keras_formula():
    rate = 0.25
    a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5
    b = -a * ALPHA_P * rate
    x = np.random.default_rng(0).standard_normal((200, 100))
    out = layers.AlphaDropout(rate, seed=5)(x, training=True).numpy().astype(np.float64)
    dropped = np.isclose(out, a * ALPHA_P + b, atol=1e-6)
    np.testing.assert_allclose(out[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.01


def test_noise_shape_shares_the_mask():
    x = torch.ones(4, 6, 5)
    out = layers.AlphaDropout(0.5, noise_shape=(None, 1, 5), seed=0)(x, training=True)
    assert (out == out[:, :1]).all()


def test_identity_in_inference():
    x = torch.randn(3, 5)
    assert layers.AlphaDropout(0.5)(x) is x


def test_config_matches_keras():
    config = layers.AlphaDropout(0.1, noise_shape=(None, 1)).get_config()
    assert list(config) == ["name", "trainable", "dtype", "rate", "seed", "noise_shape"]
    assert config["noise_shape"] == [None, 1]


def test_rate_one_is_refused():
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1, with 1 excluded"):
        layers.AlphaDropout(1)
