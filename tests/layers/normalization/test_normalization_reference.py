"""Normalization layers against real Keras 3 numbers (tests/fixtures/layers/normalization_reference.npz).

BatchNormalization is compared in inference, in one training call and in the moving
statistics that call leaves; the others in their one behaviour. Each layer is built both from
lamina's constructor and from Keras' own `get_config()`.
"""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "normalization_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}
TOLERANCE = 1e-5


def _arrays(name: str, prefix: str) -> list[np.ndarray]:
    count = sum(key.startswith(f"{name}/{prefix}_") for key in REFERENCE.files)
    return [REFERENCE[f"{name}/{prefix}_{index}"] for index in range(count)]


def _layer(case: dict, from_keras_config: bool):
    cls = getattr(layers, case["class_name"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # LayerNormalization(rms_scaling=True)
        layer = cls.from_config(case["keras_config"]) if from_keras_config else cls(**case["config"])
    layer.build(tuple(case["input_shape"]))
    layer.set_weights(_arrays(case["name"], "weight"))
    return layer


def _call(layer, name: str, training: bool):
    mask_key = f"{name}/mask"
    mask = torch.as_tensor(REFERENCE[mask_key]) if mask_key in REFERENCE.files else None
    kwargs = {"mask": mask} if mask is not None else {}
    return layer(torch.as_tensor(REFERENCE[f"{name}/input"]), training=training, **kwargs)


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, from_keras_config):
    case = CASES[name]
    layer = _layer(case, from_keras_config)
    inference = _call(layer, name, training=False).detach().numpy()
    np.testing.assert_allclose(inference, REFERENCE[f"{name}/inference"], rtol=TOLERANCE,
                               atol=TOLERANCE)
    if f"{name}/training" in REFERENCE.files:
        training = _call(layer, name, training=True).detach().numpy()
        np.testing.assert_allclose(training, REFERENCE[f"{name}/training"], rtol=TOLERANCE,
                                   atol=TOLERANCE)
        for got, want in zip(layer.get_weights(), _arrays(name, "trained_weight"), strict=True):
            np.testing.assert_allclose(got, want, rtol=TOLERANCE, atol=TOLERANCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_after_build_is_keras_config(name):
    # Keras' build rewrites `axis=-1` as `[-1]`, sorts a list of axes and resolves
    # `groups=-1` to the channel count; its saved config shows them so.
    case = CASES[name]
    config = _layer(case, from_keras_config=False).get_config()
    keras_config = case["keras_config"]
    assert list(config) == list(keras_config)
    differing = {key: (config[key], keras_config[key]) for key in config
                 if key != "name" and config[key] != keras_config[key]}
    assert not differing
