"""The STFT initializer against Keras 3.15 (tests/fixtures/initializers/stft_reference.npz, made
by make_stft_reference.py), its config and errors, and Keras' alias names."""
import json
from pathlib import Path

import numpy as np
import pytest

import lamina as keras
from lamina import initializers

FIXTURE = Path(__file__).parent / "fixtures" / "initializers" / "stft_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = json.loads(str(REFERENCE["cases"]))


def _config(case):
    config = dict(case["config"])
    if config.get("window") == "array":
        config["window"] = REFERENCE[f"{case['name']}/window"]
    return config


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_kernels_match_keras(case):
    shape = tuple(case["shape"])
    kernel = initializers.STFT(**_config(case))(shape, device="cpu").numpy()
    expected = REFERENCE[f"{case['name']}/kernel"]
    # Keras returns (T, 1, F) whatever the channels; lamina fills the requested shape with it.
    assert kernel.shape == shape
    np.testing.assert_allclose(kernel, np.broadcast_to(expected, shape), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_is_keras_and_round_trips(case):
    initializer = initializers.STFT(**_config(case))
    config = initializer.get_config()
    if case["config"].get("window") == "array":
        config["window"] = "array"
    assert config == case["keras_config"]
    again = initializers.deserialize(initializers.serialize(initializer))
    shape = tuple(case["shape"])
    np.testing.assert_array_equal(again(shape, device="cpu").numpy(),
                                  initializer(shape, device="cpu").numpy())


@pytest.mark.parametrize("arguments, match", [
    ({"side": "both"}, "side should be 'real' or 'imag', not both"),
    ({"window": "tukey_typo"}, "Unknown window type: window='tukey_typo'"),
    ({"scaling": "l2"}, "Scaling is invalid, it must be `None`, 'density' or 'spectrum'"),
])
def test_bad_arguments_raise_keras_errors(arguments, match):
    with pytest.raises(ValueError, match=match):
        initializers.STFT(**arguments)


def test_window_length_and_rank_are_checked():
    with pytest.raises(ValueError, match="The shape of `window` must be equal to"):
        initializers.STFT(window=np.ones(3))((4, 1, 3))
    with pytest.raises(ValueError, match="expects a shape \\(frame_length"):
        initializers.STFT()((4, 3))


@pytest.mark.parametrize("alias, cls", [
    ("IdentityInitializer", initializers.Identity), ("OrthogonalInitializer",
                                                     initializers.Orthogonal),
    ("STFTInitializer", initializers.STFT), ("stft", initializers.STFT),
    ("STFT", initializers.STFT),
])
def test_keras_alias_names_resolve(alias, cls):
    assert getattr(keras.initializers, alias) is cls
    assert type(initializers.get(alias)) is cls
