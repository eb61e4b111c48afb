"""Pooling layers against real Keras 3 (tests/fixtures/layers/pooling_reference.npz).

Covers 'same' padding with its odd cell at the end (where average pooling divides by the
real cells only), channels_first, keepdims, and GlobalAveragePooling1D under a mask.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "pooling_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}
TOLERANCE = 1e-5


def _call(layer, name: str):
    mask_key = f"{name}/mask"
    kwargs = {"mask": torch.as_tensor(REFERENCE[mask_key])} if mask_key in REFERENCE.files else {}
    return layer(torch.as_tensor(REFERENCE[f"{name}/input"]), **kwargs)


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_keras(name, from_keras_config):
    case = CASES[name]
    cls = getattr(layers, case["class_name"])
    layer = cls.from_config(case["keras_config"]) if from_keras_config else cls(**case["config"])
    output = _call(layer, name).detach().numpy()
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
    assert {k: v for k, v in config.items() if k != "name"} == {
        k: v for k, v in case["keras_config"].items() if k != "name"}


@pytest.mark.parametrize("name", sorted(n for n in CASES if "same" in n))
def test_padded_pooling_gradient_passes_gradcheck(name):
    """The explicitly padded paths (-inf for max, the real-cell count for average) have the
    analytic gradient: finite differences in float64 agree."""
    case = CASES[name]
    layer = getattr(layers, case["class_name"])(**case["config"])
    inputs = torch.as_tensor(REFERENCE[f"{name}/input"]).double().requires_grad_()
    assert torch.autograd.gradcheck(layer.call, (inputs,), eps=1e-6, atol=1e-5)
