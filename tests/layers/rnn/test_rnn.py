"""RNN(cell): user cells, Keras' masking semantics, stacked cells, stateful layers and errors."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving.object_registration import register_keras_serializable
from lamina.testing import run_layer_test


@register_keras_serializable(package="rnn_tests")
class LinearCell(layers.Layer):
    """h_t = x_t @ kernel + h_{t-1} @ recurrent_kernel: simple enough to write out in NumPy."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def keras_masked_reference(x, mask, kernel, recurrent, h0, zero_output_for_mask):
    """Keras' rule in float64: a masked step keeps the state and repeats it as its output."""
    h, outputs = h0.astype("float64"), []
    for t in range(x.shape[1]):
        new = x[:, t] @ kernel + h @ recurrent
        keep = mask[:, t:t + 1]
        outputs.append(np.where(keep, new, 0.0 if zero_output_for_mask else h))
        h = np.where(keep, new, h)
    return np.stack(outputs, 1), h


def test_user_cell_through_the_layer_harness():
    run_layer_test(layers.RNN, {"cell": LinearCell(3), "return_sequences": True},
                   input_shape=(2, 6, 4), expected_output_shape=(2, 6, 3),
                   expected_num_trainable_weights=2, supports_masking=True)


@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_masked_steps_are_skipped_as_keras_does(zero_output_for_mask):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 12, 2)).astype("float32")
    mask = rng.random((3, 12)) > 0.4
    mask[0, :4] = False  # masked first steps repeat the initial state
    h0 = rng.standard_normal((3, 3)).astype("float32")
    layer = layers.RNN(LinearCell(3), return_sequences=True, return_state=True,
                       zero_output_for_mask=zero_output_for_mask)
    outputs, state = layer(torch.as_tensor(x), initial_state=torch.as_tensor(h0),
                           mask=torch.as_tensor(mask))
    kernel, recurrent = (w.astype("float64") for w in layer.get_weights())
    expected, expected_state = keras_masked_reference(x.astype("float64"), mask, kernel, recurrent,
                                                      h0, zero_output_for_mask)
    np.testing.assert_allclose(outputs.detach().numpy(), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(state.detach().numpy(), expected_state, rtol=1e-5, atol=1e-5)


def test_return_sequences_keeps_the_mask_and_the_last_output_drops_it():
    x, mask = torch.ones(2, 4, 3), torch.tensor([[True, True, False, False], [True] * 4])
    assert layers.LSTM(2, return_sequences=True)(x, mask=mask)._keras_mask is mask
    assert getattr(layers.LSTM(2)(x, mask=mask), "_keras_mask", None) is None
    sequence, h, c = layers.LSTM(2, return_sequences=True, return_state=True)(x, mask=mask)
    assert sequence._keras_mask is mask and getattr(h, "_keras_mask", None) is None


def test_go_backwards_reads_the_reversed_sequence():
    x = torch.randn(2, 7, 3)
    backwards = layers.GRU(4, go_backwards=True, return_sequences=True)
    forwards = layers.GRU(4, return_sequences=True)
    backwards(x), forwards(x)
    forwards.set_weights(backwards.get_weights())
    np.testing.assert_allclose(backwards(x).detach().numpy(), forwards(x.flip(1)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


def test_stacked_cells_return_their_states_flattened():
    layer = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True)
    outputs = layer(torch.ones(2, 5, 4))
    assert [tuple(o.shape) for o in outputs] == [(2, 2), (2, 3), (2, 3), (2, 2)]
    assert layer.compute_output_shape((None, 5, 4)) == ((None, 2), (None, 3), (None, 3), (None, 2))
    symbolic = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True)(lamina.Input((5, 4)))
    assert [t.shape for t in symbolic] == [(None, 2), (None, 3), (None, 3), (None, 2)]
    assert len(layer.weights) == 6


def test_stacked_cells_config_round_trip():
    layer = layers.RNN([layers.LSTMCell(3), layers.SimpleRNNCell(2)], return_sequences=True)
    clone = layers.RNN.from_config(layer.get_config())
    assert [type(c).__name__ for c in clone.cell.cells] == ["LSTMCell", "SimpleRNNCell"]
    assert clone(torch.ones(1, 4, 3)).shape == (1, 4, 2)


def test_stateful_layer_keeps_states_outside_the_weights():
    layer = layers.LSTM(3, stateful=True)
    layer.build((2, 4, 5))
    assert len(layer.states) == 2 and len(layer.weights) == 3
    assert not any("rnn_state" in key for key in layer.state_dict())
    x = torch.randn(2, 4, 5)
    first = layer(x).detach().numpy()
    assert not np.allclose(layer(x).detach().numpy(), first)  # continues from the stored states
    layer.reset_state()
    np.testing.assert_allclose(layer(x).detach().numpy(), first, rtol=1e-6, atol=1e-6)
    layer.reset_state([np.ones((2, 3)), np.zeros((2, 3))])
    np.testing.assert_array_equal(layer.states[0].numpy(), np.ones((2, 3)))


def test_stateful_errors_name_the_batch_size_fix():
    with pytest.raises(ValueError, match=r"batch size must be static\. Found dynamic batch size: "
                                         r"sequence\.shape=\(None, 4, 5\)\. Give the batch size"):
        layers.LSTM(3, stateful=True)(lamina.Input((4, 5)))
    layer = layers.GRU(3, stateful=True)
    layer(torch.zeros(8, 4, 5))
    with pytest.raises(ValueError, match=r"Expected batch size: 8\n- Received batch size: 3\n"
                                         r"Pass batch_size=8 to fit/predict"):
        layer(torch.zeros(3, 4, 5))


def test_unroll_takes_a_time_axis_known_only_when_called():
    # Keras 3.15 builds Input((None, 4)) -> LSTM(unroll=True) and runs it on any length.
    inputs = lamina.Input((None, 4))
    unrolled = layers.LSTM(3, unroll=True)
    model = lamina.Model(inputs, unrolled(inputs))
    looped = layers.LSTM(3)
    looped(np.zeros((1, 2, 4), "float32"))
    looped.set_weights(unrolled.get_weights())
    x = np.random.default_rng(0).random((2, 5, 4)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), looped(x).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_mask_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"Layer 'lstm' received a mask of shape \(2, 5\) for inputs "
                                         r"of shape \(2, 4, 3\); the mask must be \(batch, timesteps\)"):
        layers.LSTM(2)(torch.ones(2, 4, 3), mask=torch.ones(2, 5, dtype=torch.bool))


def test_cells_without_state_size_are_refused():
    class NoState(layers.Layer):
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ValueError, match="The RNN cell should have a `state_size` attribute"):
        layers.RNN(NoState())


def test_two_dimensional_input_to_a_plain_rnn_gets_the_fix():
    with pytest.raises(ValueError, match=r"expected min_ndim=3, found ndim=2.*An RNN needs "
                                         r"\(batch, timesteps, features\)"):
        layers.RNN(LinearCell(2))(torch.zeros(4, 9))


def test_an_initial_state_of_another_width_is_refused_naming_both_shapes():
    # An encoder LSTM(3) seeding a decoder LSTM(2): torch's kernel returned (2, 4, 3) silently.
    x = np.ones((2, 4, 3), "float32")
    with pytest.raises(ValueError, match=r"^Layer 'lstm\w*' \(LSTM\) expects initial state 0 of "
                                         r"shape \(2, 2\) \(batch, state size \[2, 2\]\), but "
                                         r"received shape \(2, 3\)\. An encoder's states"):
        layers.LSTM(2, return_sequences=True)(x, initial_state=[np.zeros((2, 3), "float32")] * 2)
    states = [np.zeros((2, 2), "float32")] * 2
    assert tuple(layers.LSTM(2)(x, initial_state=states).shape) == (2, 2)
