"""LSTM and LSTMCell: the layer harness, weight layout, the two paths, dropout and learner slips."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.layers.rnn import rnn as rnn_module
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, output_shape", [
    ({"units": 4}, (2, 4)),
    ({"units": 4, "return_sequences": True}, (2, 5, 4)),
    ({"units": 4, "return_state": True}, [(2, 4), (2, 4), (2, 4)]),
    ({"units": 4, "go_backwards": True, "return_sequences": True}, (2, 5, 4)),
    ({"units": 4, "use_bias": False, "use_cudnn": False}, (2, 4)),
    ({"units": 4, "recurrent_activation": "hard_sigmoid"}, (2, 4)),
])
def test_layer_harness(kwargs, output_shape):
    run_layer_test(layers.LSTM, kwargs, input_shape=(2, 5, 3), expected_output_shape=output_shape,
                   expected_num_trainable_weights=3 if kwargs.get("use_bias", True) else 2,
                   expected_num_non_trainable_weights=0, supports_masking=True)


@pytest.mark.parametrize("kwargs", [{"dropout": 0.5}, {"recurrent_dropout": 0.5},
                                    {"dropout": 0.3, "recurrent_dropout": 0.3}])
def test_dropout_acts_only_in_training(kwargs):
    run_layer_test(layers.LSTM, {"units": 4, "seed": 3, **kwargs}, input_shape=(4, 6, 3),
                   expected_output_shape=(4, 4), training_differs=True)


def test_param_count_and_weight_layout_match_keras():
    model = lamina.Sequential([lamina.Input((10, 8)), layers.LSTM(16)])
    assert model.count_params() == 1600
    assert [w.shape for w in model.layers[0].get_weights()] == [(8, 64), (16, 64), (64,)]


def test_unit_forget_bias_starts_the_forget_gate_at_one():
    layer = layers.LSTM(3)
    layer.build((None, 5, 2))
    bias = layer.cell.bias.detach().numpy()
    np.testing.assert_array_equal(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    plain = layers.LSTM(3, unit_forget_bias=False, bias_initializer="ones")
    plain.build((None, 5, 2))
    np.testing.assert_array_equal(plain.cell.bias.detach().numpy(), np.ones(12))


def test_two_dimensional_input_names_the_fix():
    expected = ('Input 0 of layer "lstm" is incompatible with the layer: expected ndim=3, found '
                'ndim=2. Full shape received: (32, 28). An LSTM needs (batch, timesteps, features); '
                'for one feature per step use `x[..., None]` or `Reshape((28, 1))`. Stacked on '
                'another recurrent layer, give that one return_sequences=True (e.g. '
                '`LSTM(64, return_sequences=True)`) so it passes on the whole sequence.')
    with pytest.raises(ValueError) as error:
        layers.LSTM(8)(torch.zeros(32, 28))
    assert str(error.value) == expected
    with pytest.raises(ValueError, match=r"Full shape received: \(None, 28\)\. An LSTM needs"):
        layers.LSTM(8)(lamina.Input((28,)))


def test_images_fed_to_an_lstm_get_the_row_by_row_fix():
    with pytest.raises(ValueError, match=r"merge the last two axes: `Reshape\(\(28, 28\)\)`"):
        layers.LSTM(8)(torch.zeros(2, 28, 28, 1))


def test_symbolic_time_axis_stays_unknown():
    outputs = layers.LSTM(4, return_sequences=True)(lamina.Input((None, 8)))
    assert outputs.shape == (None, None, 4)
    last, h, c = layers.LSTM(4, return_state=True)(lamina.Input((None, 8)))
    assert last.shape == h.shape == c.shape == (None, 4)


def test_use_cudnn_is_checked_and_true_requires_the_fused_kernel():
    with pytest.raises(ValueError, match=r"Expected one of \{'auto', True, False\}. Received: use_cudnn='yes'"):
        layers.LSTM(4, use_cudnn="yes")
    strict = layers.LSTM(4, use_cudnn=True, activation="relu")
    with pytest.raises(ValueError, match="use_cudnn=True was specified, but the fused kernel"):
        strict(torch.zeros(2, 3, 2))
    assert layers.LSTM(4, use_cudnn=True)(torch.zeros(2, 3, 2)).shape == (2, 4)


def test_input_dropout_uses_the_same_mask_on_both_paths(monkeypatch):
    """The fused kernel reads the inputs masked once per sequence, as the loop does."""
    x = torch.randn(4, 7, 3)
    fused, loop = (layers.LSTM(5, dropout=0.4, seed=11, use_cudnn=c, return_sequences=True)
                   for c in ("auto", False))
    fused(x[:1]), loop(x[:1])
    loop.set_weights(fused.get_weights())
    calls = []
    run_fused = rnn_module.run_fused
    monkeypatch.setattr(rnn_module, "run_fused", lambda *a, **k: calls.append(1) or run_fused(*a, **k))
    a, b = fused(x, training=True), loop(x, training=True)
    assert len(calls) == 1
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(a.detach().numpy(), fused(x).detach().numpy())


def test_recurrent_dropout_runs_the_loop_in_training_only(monkeypatch):
    calls = []
    run_fused = rnn_module.run_fused
    monkeypatch.setattr(rnn_module, "run_fused", lambda *a, **k: calls.append(1) or run_fused(*a, **k))
    layer = layers.LSTM(4, recurrent_dropout=0.5)
    layer(torch.ones(2, 3, 2), training=True)
    assert calls == []
    layer(torch.ones(2, 3, 2), training=False)
    assert calls == [1]
    assert layer.cell.implementation == 1 and layer.cell.dropout_mask_count == 4


def test_wrong_number_of_initial_states_is_explained():
    with pytest.raises(ValueError, match=r"Layer 'lstm' \(LSTM\) expects 2 initial state tensor\(s\).*"
                                         r"received 1\. An LSTM takes `initial_state=\[h, c\]`"):
        layers.LSTM(4)(torch.zeros(2, 3, 2), initial_state=[torch.zeros(2, 4)])


def test_initial_state_from_a_functional_graph():
    sequence = lamina.Input((None, 3))
    h, c = lamina.Input((4,)), lamina.Input((4,))
    outputs = layers.LSTM(4)(sequence, initial_state=[h, c])
    model = lamina.Model([sequence, h, c], outputs)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    zeros, ones = np.zeros((2, 4), "float32"), np.ones((2, 4), "float32")
    from_zeros = model.predict([x, zeros, zeros], verbose=0)
    np.testing.assert_allclose(from_zeros, model.layers[-1](torch.as_tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    assert not np.allclose(from_zeros, model.predict([x, ones, ones], verbose=0))


def test_cell_steps_like_the_layer():
    x = torch.randn(2, 6, 3)
    layer = layers.LSTM(4, return_sequences=True)
    sequence = layer(x)
    states = [torch.zeros(2, 4), torch.zeros(2, 4)]
    for t in range(6):
        output, states = layer.cell(x[:, t], states)
        np.testing.assert_allclose(output.detach().numpy(), sequence[:, t].detach().numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_a_subclassed_cell_is_honoured_not_fused():
    class LeakyCell(layers.LSTMCell):
        def recurrent_step(self, projected, states, training):
            h, new_states = super().recurrent_step(projected, states, training)
            return 0.5 * h, [0.5 * h, new_states[1]]

    cell = LeakyCell(3)
    custom, plain = layers.RNN(cell), layers.RNN(layers.LSTMCell(3))
    x = torch.randn(2, 4, 2)
    custom(x), plain(x)
    plain.set_weights(custom.get_weights())
    assert not np.allclose(custom(x).detach().numpy(), plain(x).detach().numpy())


def test_config_round_trip_keeps_use_cudnn_out_like_keras():
    config = layers.LSTM(4, use_cudnn=False, implementation=1).get_config()
    assert "use_cudnn" not in config and "implementation" not in config and "cell" not in config
    assert layers.LSTM.from_config(config).units == 4
