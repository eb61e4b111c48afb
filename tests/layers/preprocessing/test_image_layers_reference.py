"""RandomGaussianBlur, ContrastLimitedAdaptiveHistogramEqualization, RandomElasticTransform and
AugMix against real Keras 3.15 (tests/fixtures/layers/image_layers_reference.npz, made by
make_image_layers_reference.py): outputs where Keras' are deterministic, and configs."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "image_layers_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}


def _tolerance(inputs) -> dict:
    # float32 rounding on the images' scale.
    scale = 255.0 if np.abs(inputs).max() > 2 else 1.0
    return {"rtol": 0, "atol": 2e-6 * scale}


def _tuples(config):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}


@pytest.mark.parametrize("source", ["constructor", "keras_config", "numpy"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, source):
    case = CASES[name]
    cls = getattr(layers, case["class_name"])
    layer = (cls.from_config(case["keras_config"]) if source == "keras_config"
             else cls(**_tuples(case["config"])))
    inputs = REFERENCE[f"{name}/input"]
    output = layer(inputs if source == "numpy" else torch.from_numpy(inputs),
                   training=case["training"])
    assert output.dtype == torch.float32
    np.testing.assert_allclose(output.numpy(), REFERENCE[f"{name}/output"], **_tolerance(inputs))


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras(name):
    case = CASES[name]
    layer = getattr(layers, case["class_name"])(**_tuples(case["config"]))
    config = json.loads(json.dumps(layer.get_config()))
    keras_config = case["keras_config"]
    assert list(config) == list(keras_config)
    assert ({k: v for k, v in config.items() if k != "name"}
            == {k: v for k, v in keras_config.items() if k != "name"})
