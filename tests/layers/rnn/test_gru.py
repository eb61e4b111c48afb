"""GRU and GRUCell: the layer harness, Keras' bias layouts, and the paths for reset_after."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.layers.rnn import rnn as rnn_module
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, output_shape", [
    ({"units": 4}, (2, 4)),
    ({"units": 4, "reset_after": False, "return_sequences": True}, (2, 5, 4)),
    ({"units": 4, "return_state": True, "go_backwards": True}, [(2, 4), (2, 4)]),
    ({"units": 4, "activation": "relu"}, (2, 4)),
])
def test_layer_harness(kwargs, output_shape):
    run_layer_test(layers.GRU, kwargs, input_shape=(2, 5, 3), expected_output_shape=output_shape,
                   expected_num_trainable_weights=3, supports_masking=True)


@pytest.mark.parametrize("reset_after", [True, False])
def test_dropout_acts_only_in_training(reset_after):
    run_layer_test(layers.GRU, {"units": 4, "dropout": 0.3, "recurrent_dropout": 0.3, "seed": 1,
                                "reset_after": reset_after},
                   input_shape=(4, 6, 3), expected_output_shape=(4, 4), training_differs=True)


def test_param_count_and_bias_layouts_match_keras():
    assert lamina.Sequential([lamina.Input((10, 8)), layers.GRU(16)]).count_params() == 1248
    for reset_after, bias_shape in ((True, (2, 48)), (False, (48,))):
        layer = layers.GRU(16, reset_after=reset_after)
        layer.build((None, 10, 8))
        assert [w.shape for w in layer.get_weights()] == [(8, 48), (16, 48), bias_shape]


@pytest.mark.parametrize("reset_after, fused", [(True, True), (False, False)])
def test_only_reset_after_runs_on_the_fused_kernel(reset_after, fused, monkeypatch):
    calls = []
    run_fused = rnn_module.run_fused
    monkeypatch.setattr(rnn_module, "run_fused", lambda *a, **k: calls.append(a[0].mode) or run_fused(*a, **k))
    layers.GRU(3, reset_after=reset_after)(torch.ones(2, 4, 2))
    assert calls == (["gru"] if fused else [])


def test_reset_after_false_with_use_cudnn_true_is_refused():
    with pytest.raises(ValueError, match="reset_after=True for a GRU"):
        layers.GRU(3, reset_after=False, use_cudnn=True)(torch.ones(2, 4, 2))


def test_two_dimensional_input_names_the_fix():
    with pytest.raises(ValueError, match=r"found ndim=2\. Full shape received: \(4, 10\)\. A GRU "
                                         r"needs \(batch, timesteps, features\); for one feature "
                                         r"per step use `x\[\.\.\., None\]` or `Reshape\(\(10, 1\)\)`\."):
        layers.GRU(3)(torch.zeros(4, 10))


def test_cell_matches_the_gru_equations_in_float64():
    """One reset_after=False step against the equations written out in float64 NumPy."""
    rng = np.random.default_rng(0)
    cell = layers.GRUCell(3, reset_after=False)
    cell.build((None, 2))
    weights = [rng.standard_normal(w.shape).astype("float32") for w in cell.get_weights()]
    cell.set_weights(weights)
    x, h = (rng.standard_normal(shape).astype("float32") for shape in ((4, 2), (4, 3)))
    output, _ = cell(torch.as_tensor(x), [torch.as_tensor(h)])

    kernel, recurrent, bias, x, h = (a.astype("float64") for a in (*weights, x, h))
    sigmoid = lambda v: 1 / (1 + np.exp(-v))
    xz, xr, xh = np.split(x @ kernel + bias, 3, axis=1)
    rz, rr, rh = np.split(recurrent, 3, axis=1)
    z, r = sigmoid(xz + h @ rz), sigmoid(xr + h @ rr)
    expected = z * h + (1 - z) * np.tanh(xh + (r * h) @ rh)
    np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
