"""Convolution layers against real Keras 3 (tests/fixtures/layers/conv_reference.npz).

Each case is built from lamina's constructor and from Keras' own `get_config()`, given the
Keras weights, and must reproduce Keras' outputs, output shape and config.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "conv_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}
TOLERANCE = 1e-5


def _weights(name: str) -> list[np.ndarray]:
    count = sum(key.startswith(f"{name}/weight_") for key in REFERENCE.files)
    return [REFERENCE[f"{name}/weight_{index}"] for index in range(count)]


def _layer(case: dict, from_keras_config: bool):
    cls = getattr(layers, case["class_name"])
    layer = cls.from_config(case["keras_config"]) if from_keras_config else cls(**case["config"])
    layer.build(tuple(case["input_shape"]))
    layer.set_weights(_weights(case["name"]))
    return layer


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_keras(name, from_keras_config):
    case = CASES[name]
    layer = _layer(case, from_keras_config)
    output = layer(torch.as_tensor(REFERENCE[f"{name}/input"])).detach().numpy()
    np.testing.assert_allclose(output, REFERENCE[f"{name}/output"], rtol=TOLERANCE,
                               atol=TOLERANCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_shape_and_config_match_keras(name):
    case = CASES[name]
    layer = getattr(layers, case["class_name"])(**case["config"])
    expected_shape = REFERENCE[f"{name}/output"].shape
    assert tuple(layer.compute_output_shape(tuple(case["input_shape"]))) == expected_shape
    symbolic = layer(lamina.Input(shape=tuple(case["input_shape"][1:])))
    assert tuple(symbolic.shape) == (None,) + expected_shape[1:]
    config = json.loads(json.dumps(layer.get_config()))
    keras_config = dict(case["keras_config"])
    assert {k: v for k, v in config.items() if k != "name"} == {
        k: v for k, v in keras_config.items() if k != "name"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_flow_to_every_weight(name):
    case = CASES[name]
    layer = _layer(case, from_keras_config=False)
    layer(torch.as_tensor(REFERENCE[f"{name}/input"])).square().sum().backward()
    for weight in layer.trainable_weights:
        assert weight.grad is not None and torch.count_nonzero(weight.grad) > 0, weight.path
