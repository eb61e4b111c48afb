"""ConvLSTM1D/2D/3D (one ConvLSTM base over rank) against real Keras 3.15.

tests/fixtures/layers/conv_lstm_reference.npz and keras_conv_lstm.keras come from
make_conv_lstm_reference.py: each case is rebuilt from Keras' serialization, given Keras'
weights, and must reproduce Keras' outputs, shapes, weight paths and config; the Keras-written
model loads, predicts as Keras did, prints Keras' summary and survives a save/load round trip.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.layers.rnn.conv_lstm import ConvLSTM, ConvLSTMCell
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from lamina.testing import run_layer_test

FIXTURES = Path(__file__).parents[2] / "fixtures" / "layers"
REFERENCE = np.load(FIXTURES / "conv_lstm_reference.npz")
CASES = json.loads(str(REFERENCE["cases"]))
TOLERANCE = 1e-5


def _without_build(serialized):
    return {k: v for k, v in serialized.items() if k != "build_config"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_weights_and_config_match_keras(name):
    case = CASES[name]
    layer = deserialize_keras_object(case["layer"])
    x = torch.as_tensor(REFERENCE[f"{name}/x"])
    layer(x[:1])
    layer.set_weights([REFERENCE[f"{name}/w{i}"] for i in range(case["weights"])])
    outputs = layer(x)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    assert len(outputs) == case["outputs"]
    for i, output in enumerate(outputs):
        np.testing.assert_allclose(output.detach().numpy(), REFERENCE[f"{name}/out{i}"],
                                   rtol=TOLERANCE, atol=TOLERANCE)
    assert [w.path for w in layer.weights] == case["weight_paths"]
    shapes = layer.compute_output_shape((None,) + tuple(x.shape[1:]))
    assert json.loads(json.dumps(shapes)) == case["output_shape"]
    assert _without_build(json.loads(json.dumps(serialize_keras_object(layer)))) == \
        _without_build(case["layer"])


@pytest.mark.parametrize("cls, input_shape, output_shape", [
    (layers.ConvLSTM1D, (2, 3, 7, 2), (2, 5, 2)),
    (layers.ConvLSTM3D, (2, 3, 5, 4, 4, 1), (2, 3, 2, 2, 2)),
])
def test_layer_harness(cls, input_shape, output_shape):
    run_layer_test(cls, {"filters": 2, "kernel_size": 3}, input_shape=input_shape,
                   expected_output_shape=output_shape, expected_num_trainable_weights=3,
                   supports_masking=True)


def test_dropout_acts_only_in_training():
    run_layer_test(layers.ConvLSTM1D, {"filters": 2, "kernel_size": 3, "dropout": 0.5,
                                       "recurrent_dropout": 0.5, "seed": 1},
                   input_shape=(2, 3, 6, 2), expected_output_shape=(2, 4, 2),
                   training_differs=True)


def test_one_base_over_rank():
    for cls, rank in ((layers.ConvLSTM1D, 1), (layers.ConvLSTM2D, 2), (layers.ConvLSTM3D, 3)):
        layer = cls(2, 3)
        assert isinstance(layer, ConvLSTM) and type(layer.cell) is ConvLSTMCell
        assert layer.cell.rank == rank and layer.cell.name == "conv_lstm_cell"
        assert layer.kernel_size == (3,) * rank
    assert isinstance(layers.ConvLSTM2DCell(2, 3), ConvLSTMCell)
    with pytest.raises(ValueError, match="Rank 4 convolutions are not currently implemented"):
        ConvLSTMCell(4, 2, 3)


def test_weight_shapes_and_params_follow_keras():
    layer = layers.ConvLSTM3D(4, (3, 2, 2))
    layer.build((None, None, 6, 6, 6, 3))
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 2, 3, 16), (3, 2, 2, 4, 16), (16,)]
    assert layer.count_params() == 12 * 3 * 16 + 12 * 4 * 16 + 16


def test_keras_file_loads_predicts_and_round_trips(tmp_path):
    model = lamina.models.load_model(FIXTURES / "keras_conv_lstm.keras")
    xs = [torch.as_tensor(REFERENCE[f"model/x{i}"]) for i in range(2)]
    np.testing.assert_allclose(model.predict(xs, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(xs, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)


def test_summary_is_keras_summary(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = lamina.models.load_model(FIXTURES / "keras_conv_lstm.keras")
    texts = []
    model.summary(print_fn=texts.append)
    assert "".join(texts) == str(REFERENCE["model/summary"])


@pytest.mark.parametrize("cls, shape, axes", [
    (layers.ConvLSTM1D, (2, 3, 6), "rows"),
    (layers.ConvLSTM3D, (2, 3, 4, 4, 4), "depth, rows, cols"),
])
def test_frames_without_channels_get_the_fix(cls, shape, axes):
    message = (f"A {cls.__name__} needs (batch, timesteps, {axes}, channels); for "
               f"single-channel frames add a channel axis: `x[..., None]`")
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(2, 3)(torch.zeros(shape))


@pytest.mark.parametrize("cls", [layers.ConvLSTM1D, layers.ConvLSTM2D, layers.ConvLSTM3D])
def test_arguments_after_kernel_size_may_be_positional_as_in_keras(cls):
    layer = cls(4, 3, 2, "same", None, 1, "relu")
    config = layer.get_config()
    assert (config["padding"], config["activation"]) == ("same", "relu")
    assert config["strides"] == (2,) * int(cls.__name__[-2])
