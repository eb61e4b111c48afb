"""Bidirectional: merge modes, a given backward layer, states, masks and configuration errors."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("merge_mode, output_shape", [
    ("concat", (2, 5, 8)), ("sum", (2, 5, 4)), ("mul", (2, 5, 4)), ("ave", (2, 5, 4)),
    (None, [(2, 5, 4), (2, 5, 4)])])
def test_layer_harness(merge_mode, output_shape):
    run_layer_test(layers.Bidirectional, {"layer": layers.LSTM(4, return_sequences=True),
                                          "merge_mode": merge_mode},
                   input_shape=(2, 5, 3), expected_output_shape=output_shape,
                   expected_num_trainable_weights=6, supports_masking=True)


def test_merge_is_forward_and_reversed_backward():
    x = torch.randn(2, 6, 3)
    layer = layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode=None)
    forward, backward = layer(x)
    np.testing.assert_allclose(forward.detach().numpy(), layer.forward_layer(x).detach().numpy())
    np.testing.assert_allclose(backward.detach().numpy(),
                               layer.backward_layer(x).flip(1).detach().numpy())
    concat = layers.Bidirectional(layers.GRU(3, return_sequences=True))
    concat(x)
    concat.set_weights(layer.get_weights())
    np.testing.assert_allclose(concat(x).detach().numpy(),
                               torch.cat([forward, backward], -1).detach().numpy(), rtol=1e-6)


def test_states_and_initial_states_split_between_directions():
    layer = layers.Bidirectional(layers.LSTM(3, return_state=True))
    output, *states = layer(torch.ones(2, 4, 5))
    assert output.shape == (2, 6) and [tuple(s.shape) for s in states] == [(2, 3)] * 4
    initial = [torch.randn(2, 3) for _ in range(4)]
    _, h_forward, _, h_backward, _ = layer(torch.ones(2, 4, 5), initial_state=initial)
    _, expected_forward, _ = layer.forward_layer(torch.ones(2, 4, 5), initial_state=initial[:2])
    np.testing.assert_allclose(h_forward.detach().numpy(), expected_forward.detach().numpy())
    symbolic = layers.Bidirectional(layers.LSTM(3, return_state=True))(lamina.Input((None, 5)))
    assert [t.shape for t in symbolic] == [(None, 6)] + [(None, 3)] * 4


def test_masked_outputs_are_zero_in_both_directions():
    mask = torch.tensor([[True, True, True, False, False]])
    outputs = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(torch.ones(1, 5, 3), mask=mask)
    np.testing.assert_array_equal(outputs[0, 3:].detach().numpy(), np.zeros((2, 4)))
    assert outputs._keras_mask is mask


def test_a_given_backward_layer_and_initial_weights():
    backward = layers.SimpleRNN(4, go_backwards=True, name="mine")
    layer = layers.Bidirectional(layers.SimpleRNN(4), backward_layer=backward)
    layer.build((None, 5, 3))
    assert layer.backward_layer is backward
    weights = [np.full(w.shape, 0.1, "float32") for w in layer.get_weights()]
    seeded = layers.Bidirectional(layers.SimpleRNN(4), weights=weights)
    seeded.build((None, 5, 3))
    np.testing.assert_array_equal(seeded.get_weights()[0], weights[0])


def test_configuration_errors():
    with pytest.raises(ValueError, match=r"Invalid merge mode\. Received: 'max'"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="should have different `go_backwards` value"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match='same value for attribute "return_sequences"'):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(
            2, go_backwards=True, return_sequences=True))
    with pytest.raises(ValueError, match="with a `keras.layers.Layer` instance"):
        layers.Bidirectional(torch.nn.LSTM(2, 2))


def test_config_round_trip_keeps_both_directions():
    layer = layers.Bidirectional(layers.GRU(3, reset_after=False), merge_mode="ave")
    clone = layers.Bidirectional.from_config(layer.get_config())
    assert clone.merge_mode == "ave" and clone.backward_layer.go_backwards
    assert clone.forward_layer.name == "forward_gru" and not clone.forward_layer.reset_after
