"""SimpleRNN and SimpleRNNCell: the layer harness, parameter count and the float64 recurrence."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, output_shape", [
    ({"units": 4}, (2, 4)),
    ({"units": 4, "activation": "relu", "return_sequences": True}, (2, 5, 4)),
    ({"units": 4, "activation": "selu", "return_state": True}, [(2, 4), (2, 4)]),
])
def test_layer_harness(kwargs, output_shape):
    run_layer_test(layers.SimpleRNN, kwargs, input_shape=(2, 5, 3),
                   expected_output_shape=output_shape, expected_num_trainable_weights=3,
                   supports_masking=True)


def test_dropout_acts_only_in_training():
    run_layer_test(layers.SimpleRNN, {"units": 4, "dropout": 0.5, "recurrent_dropout": 0.5, "seed": 2},
                   input_shape=(4, 6, 3), expected_output_shape=(4, 4), training_differs=True)


def test_param_count_matches_keras():
    assert lamina.Sequential([lamina.Input((10, 8)), layers.SimpleRNN(16)]).count_params() == 400


@pytest.mark.parametrize("unroll", [False, True], ids=["fused", "loop"])
def test_sequence_matches_the_recurrence_in_float64(unroll):
    rng = np.random.default_rng(1)
    layer = layers.SimpleRNN(3, return_sequences=True, unroll=unroll)
    x = rng.standard_normal((2, 20, 4)).astype("float32")
    layer.build((None, 20, 4))
    weights = [(0.5 * rng.standard_normal(w.shape)).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    kernel, recurrent, bias = (w.astype("float64") for w in weights)
    h, expected = np.zeros((2, 3)), []
    for t in range(20):
        h = np.tanh(x[:, t].astype("float64") @ kernel + h @ recurrent + bias)
        expected.append(h)
    np.testing.assert_allclose(layer(torch.as_tensor(x)).detach().numpy(), np.stack(expected, 1),
                               rtol=1e-5, atol=1e-6)


def test_config_has_keras_keys():
    config = layers.SimpleRNN(3, seed=4).get_config()
    assert "seed" not in config and "cell" not in config  # as Keras 3.15
    assert {"units", "activation", "return_sequences", "zero_output_for_mask", "unroll"} <= set(config)
