"""`keras.ops.image` against real Keras 3.15 (tests/fixtures/ops/image_reference.npz, made by
make_image_reference.py with the JAX backend): geometric warps, map_coordinates, cropping and
padding, patches, Gaussian blur, Sobel edges, scale_and_translate and SSIM.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina as keras

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ops" / "image_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}


def _kwargs(case) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}


def _tolerance(expected) -> dict:
    # float32 rounding on the values' scale (SciPy-style gathers, XLA convolutions).
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    return {"rtol": 0, "atol": 2e-6 * scale}


@pytest.mark.parametrize("source", ["tensor", "numpy"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, source):
    case = CASES[name]
    inputs = {key: REFERENCE[f"{name}/in_{key}"] for key in case["inputs"]}
    if source == "tensor":
        inputs = {key: torch.from_numpy(value) for key, value in inputs.items()}
    output = getattr(keras.ops.image, case["op"])(**inputs, **_kwargs(case))
    expected = REFERENCE[f"{name}/out"]
    assert isinstance(output, torch.Tensor)
    assert tuple(output.shape) == expected.shape
    assert str(output.dtype).replace("torch.", "") == str(expected.dtype)
    np.testing.assert_allclose(output.numpy(), expected, **_tolerance(expected))
