"""Reshaping layers against real Keras 3 outputs (tests/fixtures/layers/reshaping_reference.npz)."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "reshaping_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, from_keras_config):
    case = CASES[name]
    cls = getattr(layers, case["class_name"])
    layer = cls.from_config(case["keras_config"]) if from_keras_config else cls(**case["config"])
    out = layer(torch.as_tensor(REFERENCE[f"{name}/input"]))
    np.testing.assert_allclose(out.numpy(), REFERENCE[f"{name}/output"], rtol=1e-5, atol=1e-6)
    assert tuple(out.shape) == layer.compute_output_shape(tuple(REFERENCE[f"{name}/input"].shape))


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras(name):
    case = CASES[name]
    config = getattr(layers, case["class_name"])(**case["config"]).get_config()
    config = json.loads(json.dumps(config))  # tuples as lists, as in the fixture
    assert {k: v for k, v in config.items() if k != "name"} == {
        k: v for k, v in case["keras_config"].items() if k != "name"}
