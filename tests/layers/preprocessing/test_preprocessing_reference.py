"""Preprocessing layers against real Keras 3 (tests/fixtures/layers/preprocessing_reference.npz).

Random layers are pinned to one-value factor ranges there, so their training outputs are
Keras' affine transforms with a known angle, zoom, shift or contrast factor.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "preprocessing_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}


def _adapt_batches(name):
    count = sum(key.startswith(f"{name}/adapt_") for key in REFERENCE.files)
    return [REFERENCE[f"{name}/adapt_{index}"] for index in range(count)]


def _layer(name, from_keras_config):
    case = CASES[name]
    cls = getattr(layers, case["class_name"])
    layer = cls.from_config(case["keras_config"]) if from_keras_config else cls(**case["config"])
    batches = _adapt_batches(name)
    if batches:
        layer.adapt(batches[0] if len(batches) == 1 else batches)
    return layer


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, from_keras_config):
    case = CASES[name]
    layer = _layer(name, from_keras_config)
    output = layer(torch.as_tensor(REFERENCE[f"{name}/input"]), training=case["training"])
    expected = REFERENCE[f"{name}/output"]
    assert output.dtype == torch.as_tensor(expected).dtype
    if expected.dtype == np.uint8:
        # Rounding of values within float error of .5 may differ by one level.
        assert np.abs(output.numpy().astype(int) - expected.astype(int)).max() <= 1
        assert np.mean(output.numpy() == expected) > 0.99
    else:
        np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras(name):
    case = CASES[name]
    layer = getattr(layers, case["class_name"])(**case["config"])
    config = json.loads(json.dumps(layer.get_config()))
    assert list(config) == list(case["keras_config"])
    assert {k: v for k, v in config.items() if k != "name"} == {
        k: v for k, v in case["keras_config"].items() if k != "name"}
