"""The rnn family against real Keras 3 (tests/fixtures/layers/rnn_reference.npz), 20 steps.

Every case is rebuilt from Keras' own serialization, given Keras' weights, and run twice: on
torch's fused kernel where the configuration allows it, and on the step loop (`unroll=True`).
Both must reproduce Keras' outputs to 1e-5, the fused run must really use the fused kernel
where expected, and the two runs must give the same gradients.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers
from lamina.layers.rnn import rnn as rnn_module
from lamina.saving.serialization_lib import deserialize_keras_object

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "rnn_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = json.loads(str(REFERENCE["cases"]))["cases"]
RECURRENT_CASES = sorted(set(CASES) - {"embedding", "masking", "lstm_stateful"})
TOLERANCE = 1e-5
# Cases whose configuration the fused kernel computes; the others need the step loop
# (non-default activations, reset_after=False, stacked or user cells, convolutions, and an
# LSTM returning its final carry under a mask).
FUSED_CASES = {
    "lstm_seq_state", "lstm_last", "lstm_backwards", "lstm_no_bias", "lstm_mask_seq",
    "lstm_mask_last", "lstm_mask_backwards", "gru_seq_state", "gru_mask",
    "gru_no_bias_backwards", "gru_initial_state", "simple_rnn_seq_state", "simple_rnn_relu_mask",
    "rnn_lstm_cell_zero_output", "rnn_gru_cell_zero_output_last", "bidirectional_concat",
    "bidirectional_sum", "bidirectional_mul", "bidirectional_ave", "bidirectional_none",
    "bidirectional_mask"}


class MinimalRNNCell(layers.Layer):
    """The user cell of Keras' RNN docstring, as in make_rnn_reference.py."""

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


def arrays(name: str, kind: str) -> list[np.ndarray]:
    count = sum(key.startswith(f"{name}__{kind}") and key[len(name) + 2 + len(kind):].isdigit()
                for key in REFERENCE.files)
    return [REFERENCE[f"{name}__{kind}{i}"] for i in range(count)]


def build_case(name: str, path: str):
    """The case's layer from Keras' serialization with Keras' weights; `path` 'fused' or 'loop'."""
    if name == "rnn_minimal_cell":
        layer = layers.RNN(MinimalRNNCell(4), return_sequences=True)
        layer.build((None, 20, 3))
    else:
        layer = deserialize_keras_object(CASES[name]["layer"])
    if path == "loop":
        for sublayer in layer.modules():
            if isinstance(sublayer, layers.RNN):
                sublayer.unroll = True  # a step loop: the fused kernel is ruled out
    layer.set_weights(arrays(name, "w"))
    return layer


def call_case(layer, name: str, x=None):
    kwargs = {}
    if CASES[name].get("mask"):
        kwargs["mask"] = torch.as_tensor(REFERENCE[f"{name}__mask"])
    if CASES[name].get("initial_state"):
        kwargs["initial_state"] = [torch.as_tensor(s) for s in arrays(name, "init")]
    outputs = layer(torch.as_tensor(REFERENCE[f"{name}__x"]) if x is None else x, **kwargs)
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


@pytest.fixture
def fused_calls(monkeypatch):
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[0].mode)
        return run_fused(*args, **kwargs)

    run_fused = rnn_module.run_fused
    monkeypatch.setattr(rnn_module, "run_fused", counting)
    return calls


@pytest.mark.parametrize("path", ["fused", "loop"])
@pytest.mark.parametrize("name", RECURRENT_CASES)
def test_outputs_match_keras(name, path, fused_calls):
    layer = build_case(name, path)
    outputs = call_case(layer, name)
    expected = arrays(name, "out")
    assert len(outputs) == len(expected) == CASES[name]["outputs"]
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=TOLERANCE, atol=TOLERANCE)
    assert bool(fused_calls) == (path == "fused" and name in FUSED_CASES), fused_calls


@pytest.mark.parametrize("name", sorted(FUSED_CASES))
def test_fused_and_loop_gradients_agree(name):
    gradients = {}
    for path in ("fused", "loop"):
        layer = build_case(name, path)
        x = torch.as_tensor(REFERENCE[f"{name}__x"]).requires_grad_()
        outputs = call_case(layer, name, x)
        weights = torch.Generator().manual_seed(0)
        loss = sum((o * torch.randn(o.shape, generator=weights)).sum() for o in outputs)
        loss.backward()
        gradients[path] = [x.grad] + [w.grad for w in layer.trainable_weights]
    for fused, loop in zip(gradients["fused"], gradients["loop"]):
        np.testing.assert_allclose(fused.numpy(), loop.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(set(RECURRENT_CASES) - {"rnn_minimal_cell"}))
def test_config_matches_keras(name):
    keras_layer = CASES[name]["layer"]
    layer = deserialize_keras_object(keras_layer)
    assert type(layer).__name__ == keras_layer["class_name"]
    ours = _without_build_config(json.loads(json.dumps(layer.get_config())))
    theirs = _without_build_config(keras_layer["config"])
    assert ours == theirs


def _without_build_config(value):
    if isinstance(value, dict):
        return {k: _without_build_config(v) for k, v in value.items() if k != "build_config"}
    if isinstance(value, list):
        return [_without_build_config(v) for v in value]
    return value


@pytest.mark.parametrize("path", ["fused", "loop"])
def test_stateful_lstm_carries_states_across_calls_as_keras(path):
    layer = deserialize_keras_object(CASES["lstm_stateful"]["layer"])
    layer.use_cudnn = "auto" if path == "fused" else False
    layer.set_weights(arrays("lstm_stateful", "w"))
    first = layer(torch.as_tensor(REFERENCE["lstm_stateful__x"]))
    second = layer(torch.as_tensor(REFERENCE["lstm_stateful__x2"]))
    for got, want in zip((first, second), arrays("lstm_stateful", "out")):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=TOLERANCE, atol=TOLERANCE)
    layer.reset_state()
    again = layer(torch.as_tensor(REFERENCE["lstm_stateful__x"]))
    np.testing.assert_allclose(again.detach().numpy(), REFERENCE["lstm_stateful__out0"],
                               rtol=TOLERANCE, atol=TOLERANCE)
