"""Activation layers against real Keras 3 outputs (tests/fixtures/layers/activations_reference.npz)."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "activations_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}


def _weights(name: str) -> list[np.ndarray]:
    count = sum(key.startswith(f"{name}/weight_") for key in REFERENCE.files)
    return [REFERENCE[f"{name}/weight_{index}"] for index in range(count)]


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, from_keras_config):
    case = CASES[name]
    cls = getattr(layers, case["class_name"])
    layer = cls.from_config(case["keras_config"]) if from_keras_config else cls(**case["config"])
    layer.build(tuple(case["input_shape"]))
    layer.set_weights(_weights(name))
    kwargs = {}
    if f"{name}/mask" in REFERENCE.files:
        kwargs["mask"] = torch.as_tensor(REFERENCE[f"{name}/mask"])
    out = layer(torch.as_tensor(REFERENCE[f"{name}/input"]), **kwargs).detach().numpy()
    np.testing.assert_allclose(out, REFERENCE[f"{name}/output"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras(name):
    case = CASES[name]
    config = json.loads(json.dumps(getattr(layers, case["class_name"])(**case["config"]).get_config()))
    assert {k: v for k, v in config.items() if k != "name"} == {
        k: v for k, v in case["keras_config"].items() if k != "name"}
