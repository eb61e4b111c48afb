"""Image augmentation layers against real Keras 3.15
(tests/fixtures/layers/image_augmentation_reference.npz, made by
make_image_augmentation_reference.py).

Random layers are pinned there to factors whose draws cannot change the result, so their
outputs are Keras' numbers; the ops behind the random geometric layers (RandomShear's affine
transforms, RandomPerspective's homography, the HSV conversions) are pinned directly.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers
from lamina.layers.preprocessing.affine import perspective_transform
from lamina.ops.image import hsv_to_rgb, rgb_to_hsv

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "image_augmentation_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}
# Float32 rounding on the images' scale: measured up to 1.6e-4 on 0..255 (RandomHue's HSV
# round trip) and 3.6e-7 on 0..1.
TOLERANCE = {"rtol": 0, "atol": 2.55e-4}


def _tolerance(inputs) -> dict:
    scale = 255.0 if np.abs(inputs).max() > 2 else 1.0
    return {"rtol": 0, "atol": 1e-6 * scale}


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


def test_pipeline_matches_keras_and_its_config():
    pipeline = layers.Pipeline([layers.AutoContrast(), layers.RandomInvert(factor=(1.0, 1.0))])
    output = pipeline(torch.from_numpy(REFERENCE["pipeline/input"]))
    np.testing.assert_allclose(output.numpy(), REFERENCE["pipeline/output"], **TOLERANCE)
    keras_config = json.loads(str(REFERENCE["pipeline/config"]))
    config = json.loads(json.dumps(pipeline.get_config()))
    assert [c["class_name"] for c in config["layers"]] == ["AutoContrast", "RandomInvert"]
    for ours, theirs in zip(config["layers"], keras_config["layers"]):
        assert {k: v for k, v in ours["config"].items() if k != "name"} == {
            k: v for k, v in theirs["config"].items() if k != "name"}
    rebuilt = layers.Pipeline.from_config(keras_config)
    np.testing.assert_allclose(rebuilt(torch.from_numpy(REFERENCE["pipeline/input"])).numpy(),
                               REFERENCE["pipeline/output"], **TOLERANCE)


def test_hsv_conversions_match_keras():
    images = torch.from_numpy(REFERENCE["ops/hsv/input"])
    hsv = rgb_to_hsv(images)
    np.testing.assert_allclose(hsv.numpy(), REFERENCE["ops/hsv/rgb_to_hsv"], atol=1e-6)
    np.testing.assert_allclose(hsv_to_rgb(hsv).numpy(), REFERENCE["ops/hsv/hsv_to_rgb"],
                               atol=1e-6)
    first = rgb_to_hsv(images.permute(0, 3, 1, 2), data_format="channels_first")
    np.testing.assert_allclose(first.numpy(), REFERENCE["ops/hsv/rgb_to_hsv_first"], atol=1e-6)


def test_random_shear_draws_keras_shear_matrices_of_either_sign():
    image = torch.from_numpy(REFERENCE["ops/shear/input"])
    expected = {sign: REFERENCE[f"ops/shear/{sign}"][0] for sign in ("plus", "minus")}
    layer = layers.RandomShear(x_factor=(0.3, 0.3), y_factor=(0.2, 0.2), seed=4)
    outputs = layer(image.repeat(16, 1, 1, 1), training=True).numpy()
    seen = set()
    for output in outputs:
        matches = [sign for sign, reference in expected.items()
                   if np.allclose(output, reference, **TOLERANCE)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == {"plus", "minus"}


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_perspective_transform_matches_keras(interpolation):
    output = perspective_transform(torch.from_numpy(REFERENCE["ops/perspective/input"]),
                                   torch.from_numpy(REFERENCE["ops/perspective/start"]),
                                   torch.from_numpy(REFERENCE["ops/perspective/end"]),
                                   interpolation=interpolation, fill_value=9.0)
    np.testing.assert_allclose(output.numpy(), REFERENCE[f"ops/perspective/{interpolation}"],
                               **TOLERANCE)
