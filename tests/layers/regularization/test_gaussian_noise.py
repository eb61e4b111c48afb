"""GaussianNoise: additive N(0, stddev²) noise in training only, seeded."""
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


def test_run_layer_test():
    run_layer_test(layers.GaussianNoise, {"stddev": 0.3, "seed": 0}, input_shape=(3, 4),
                   expected_output_shape=(3, 4), expected_num_trainable_weights=0,
                   supports_masking=True, training_differs=True)


def test_noise_statistics_in_training():
    x = torch.full((200, 100), 5.0)
    noise = layers.GaussianNoise(0.5, seed=1)(x, training=True) - x
    assert abs(float(noise.mean())) < 0.01
    assert abs(float(noise.std()) - 0.5) < 0.01


def test_identity_in_inference_and_reproducible_seed():
    x = torch.randn(3, 5)
    assert layers.GaussianNoise(0.2)(x) is x
    a = layers.GaussianNoise(0.2, seed=4)(x, training=True)
    torch.testing.assert_close(layers.GaussianNoise(0.2, seed=4)(x, training=True), a)


def test_config_matches_keras():
    config = layers.GaussianNoise(0.1, seed=2).get_config()
    assert list(config) == ["name", "trainable", "dtype", "stddev", "seed"]
    assert (config["stddev"], config["seed"]) == (0.1, 2)


@pytest.mark.parametrize("stddev", [-0.1, 1.5, "0.1"])
def test_bad_stddev(stddev):
    with pytest.raises(ValueError, match=r"argument `stddev`. Expected a float value between 0 and 1"):
        layers.GaussianNoise(stddev)
