"""AdditiveAttention: harness, a float64 reference, config without score_mode."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


def _inputs(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype("float32") for shape in shapes]


@pytest.mark.parametrize("config, weights", [({}, 1), ({"use_scale": False}, 0)])
def test_run_layer_test(config, weights):
    run_layer_test(layers.AdditiveAttention, config, input_data=_inputs((2, 3, 4), (2, 5, 4)),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=weights)


def test_scores_match_a_float64_reference():
    query, value, key = _inputs((2, 3, 4), (2, 5, 6), (2, 5, 4))
    scale = np.array([0.5, -1.0, 2.0, 0.1], "float32")
    layer = layers.AdditiveAttention()
    layer.build([query.shape, value.shape, key.shape])
    layer.set_weights([scale])
    output, weights = layer([torch.as_tensor(x) for x in (query, value, key)],
                            return_attention_scores=True)
    scores = (scale * np.tanh(query[:, :, None, :].astype("float64") + key[:, None, :, :])).sum(-1)
    expected_weights = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    np.testing.assert_allclose(weights.detach().numpy(), expected_weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(output.detach().numpy(), expected_weights @ value, rtol=1e-5,
                               atol=1e-6)


def test_config_matches_keras_keys():
    config = layers.AdditiveAttention(dropout=0.1, seed=4).get_config()
    assert list(config) == ["name", "trainable", "dtype", "use_scale", "dropout", "seed"]
    assert (config["use_scale"], config["dropout"], config["seed"]) == (True, 0.1, 4)
