"""AdaptiveAverage/MaxPooling1D/2D/3D and `ops.adaptive_*_pool` against real Keras 3.15.

tests/fixtures/layers/adaptive_pooling_reference.npz and keras_adaptive_pooling.keras come
from make_adaptive_pooling_reference.py: each case is rebuilt from Keras' serialization and
must give Keras' outputs, shapes and config; the Keras-written model loads, predicts as Keras
did, prints Keras' summary and survives a save/load round trip.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from lamina.testing import run_layer_test

FIXTURES = Path(__file__).parents[2] / "fixtures" / "layers"
REFERENCE = np.load(FIXTURES / "adaptive_pooling_reference.npz")
CASES = json.loads(str(REFERENCE["cases"]))
TOLERANCE = 1e-5
LAYERS = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
          "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_shapes_and_config_match_keras(name):
    case = CASES[name]
    layer = deserialize_keras_object(case["layer"])
    output = layer(torch.as_tensor(REFERENCE[f"{name}/x"])).numpy()
    np.testing.assert_allclose(output, REFERENCE[f"{name}/y"], rtol=TOLERANCE, atol=TOLERANCE)
    x_shape = REFERENCE[f"{name}/x"].shape
    assert list(layer.compute_output_shape((None,) + x_shape[1:])) == case["output_shape"]
    assert json.loads(json.dumps(serialize_keras_object(layer))) == case["layer"]


@pytest.mark.parametrize("name", ["average_2d", "max_2d", "average_1d_first", "max_3d"])
def test_ops_match_keras(name):
    x = torch.as_tensor(REFERENCE[f"ops/{name}/x"])
    op = ops.adaptive_average_pool if name.startswith("average") else ops.adaptive_max_pool
    kwargs = {"average_2d": {"output_size": (3, 4)}, "max_2d": {"output_size": 3},
              "average_1d_first": {"output_size": 5, "data_format": "channels_first"},
              "max_3d": {"output_size": (2, 3, 2)}}[name]
    np.testing.assert_allclose(op(x, **kwargs).numpy(), REFERENCE[f"ops/{name}/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)


def test_ops_are_in_the_nn_namespace_and_take_keras_tensors():
    assert lamina.ops.nn.adaptive_average_pool is ops.adaptive_average_pool
    assert lamina.ops.nn.adaptive_max_pool is ops.adaptive_max_pool
    assert {"adaptive_average_pool", "adaptive_max_pool"} <= set(ops.__all__)
    x = lamina.Input((9, 10, 3))
    assert ops.adaptive_max_pool(x, (3, 4)).shape == (None, 3, 4, 3)


@pytest.mark.parametrize("name", LAYERS)
def test_layer_harness(name):
    rank = int(name[-2])
    shape = (2,) + (7, 6, 5)[:rank] + (3,)
    run_layer_test(getattr(layers, name), {"output_size": 2}, input_shape=shape,
                   expected_output_shape=(2,) + (2,) * rank + (3,),
                   expected_num_trainable_weights=0, run_training_check=False)


def test_keras_file_loads_predicts_and_round_trips(tmp_path):
    model = lamina.models.load_model(FIXTURES / "keras_adaptive_pooling.keras")
    xs = [torch.as_tensor(REFERENCE[f"model/x{i}"]) for i in range(3)]
    np.testing.assert_allclose(model.predict(xs, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(xs, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)


def test_summary_is_keras_summary(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = lamina.models.load_model(FIXTURES / "keras_adaptive_pooling.keras")
    texts = []
    model.summary(print_fn=texts.append)
    assert "".join(texts) == str(REFERENCE["model/summary"])


@pytest.mark.parametrize("name, output_size, error, message", [
    ("AdaptiveAveragePooling1D", (2, 3), ValueError,
     "For 1D input, `output_size` tuple must have length 1. Received: (2, 3)"),
    ("AdaptiveMaxPooling1D", "2", TypeError,
     "`output_size` must be an integer or tuple of 1 integer. Received: 2 of type <class 'str'>"),
    ("AdaptiveMaxPooling2D", (2, 3, 4), TypeError,
     "`output_size` must be an integer or (height, width) tuple. Received: (2, 3, 4)"),
    ("AdaptiveAveragePooling3D", [2, 3], TypeError,
     "`output_size` must be an integer or (depth, height, width) tuple. Received: [2, 3]"),
])
def test_bad_output_size_is_refused_as_keras_does(name, output_size, error, message):
    with pytest.raises(error, match=f"^{__import__('re').escape(message)}"):
        getattr(layers, name)(output_size)


def test_bad_data_format_and_rank_are_refused():
    with pytest.raises(ValueError, match="Invalid data_format: channels_middle. Expected"):
        layers.AdaptiveAveragePooling2D(2, data_format="channels_middle")
    with pytest.raises(ValueError, match=r"must have ndim=3, 4 or 5, Received input shape: \(2, 3\)"):
        ops.adaptive_max_pool(torch.zeros(2, 3), 2)
