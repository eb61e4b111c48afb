"""GaussianDropout: multiplicative N(1, rate/(1-rate)) noise in training only."""
import math

import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


def test_run_layer_test():
    run_layer_test(layers.GaussianDropout, {"rate": 0.3, "seed": 0}, input_shape=(3, 4),
                   expected_output_shape=(3, 4), expected_num_trainable_weights=0,
                   supports_masking=True, training_differs=True)


def test_noise_statistics_in_training():
    x = torch.full((200, 100), 2.0)
    factor = layers.GaussianDropout(0.2, seed=1)(x, training=True) / x
    assert abs(float(factor.mean()) - 1.0) < 0.01
    assert abs(float(factor.std()) - math.sqrt(0.2 / 0.8)) < 0.01


def test_identity_in_inference():
    x = torch.randn(3, 5)
    assert layers.GaussianDropout(0.5)(x) is x


def test_config_matches_keras():
    config = layers.GaussianDropout(0.1).get_config()
    assert list(config) == ["name", "trainable", "dtype", "rate", "seed"]


@pytest.mark.parametrize("rate, message", [
    (1.0, "between 0 and 1, with 1 excluded. Received: rate=1.0"),
    (-0.5, "between 0 and 1, with 1 excluded. Received: rate=-0.5"),
])
def test_bad_rate(rate, message):
    with pytest.raises(ValueError, match=message):
        layers.GaussianDropout(rate)
