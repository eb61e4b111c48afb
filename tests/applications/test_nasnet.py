"""NASNetMobile and NASNetLarge have Keras' layers, weights, checks and predictions.

Fixtures (tests/fixtures/applications/, made by make_nasnet_reference.py with Keras 3 on
JAX): nasnet_structure.json (names, order, weight paths and shapes, counts, some configs),
a small NASNet with seeded weights in Keras 2's HDF5 layout (nasnet_mini_notop.h5, the layout
of Keras' published files, which load by layer order), and nasnet_predictions.npz (Keras'
predictions for it and for models filled by `seeded_weights` on both sides).
"""
import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import lamina
from lamina.applications import nasnet

FIXTURES = Path(__file__).parents[1] / "fixtures" / "applications"
CASES = json.loads((FIXTURES / "nasnet_structure.json").read_text())["cases"]
CONFIG_CASES = sorted(name for name, case in CASES.items()
                      if len(case.get("layers", [[]])[0]) == 3)
MINI_FILE = FIXTURES / "nasnet_mini_notop.h5"
_spec = importlib.util.spec_from_file_location("seeded_weights", FIXTURES / "seeded_weights.py")
seeded = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seeded)
with np.load(FIXTURES / "nasnet_predictions.npz") as _arrays:
    REFERENCE = dict(_arrays)
SEEDED_CASES = json.loads(str(REFERENCE.pop("seeded_cases")))
MINI = {"input_shape": (64, 64, 3), "penultimate_filters": 192, "num_blocks": 1,
        "stem_block_filters": 8, "skip_reduction": True, "include_top": False,
        "default_size": 64, "name": "nasnet_mini"}


# Every test here looks at shapes, or sets the weights it compares (conftest.py).
pytestmark = pytest.mark.usefixtures("quick_truncated_normal")


def build(case: dict):
    # Keras' automatic layer names (activation_12, ...) count from a fresh session, as in the
    # fixture script.
    lamina.backend.clear_session()
    return getattr(nasnet, case["builder"])(weights=None, **case["arguments"])


def assert_close_to_keras(actual, expected, relative=1e-4):
    """Float32 convolutions on two backends differ in rounding: within `relative` of the
    output's scale."""
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=0, atol=relative * scale)


def preprocessed(name: str) -> np.ndarray:
    return nasnet.preprocess_input(REFERENCE[f"{name}/pixels"].astype("float32"))


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_model_matches_keras(case_name):
    case = CASES[case_name]
    model = build(case)
    assert model.name == case["name"]
    assert model.count_params() == case["count_params"]
    assert sum(int(w.numel()) for w in model.trainable_weights) == case["trainable_params"]
    assert list(model.output_shape) == case["output_shape"]
    layers = [[layer.name, type(layer).__name__] for layer in model.layers]
    weights = [[w.path, list(w.shape)] for w in model.weights]
    if "digest" in case:  # the fixture script's digest of both lists
        text = json.dumps([layers, weights], separators=(",", ":"))
        assert hashlib.sha256(text.encode()).hexdigest() == case["digest"]
        return
    assert [name for name, _ in layers] == [facts[0] for facts in case["layers"]]
    assert [cls for _, cls in layers] == [facts[1] for facts in case["layers"]]
    assert weights == case["weights"]


@pytest.mark.parametrize("case_name", CONFIG_CASES)
def test_layer_configs_match_keras(case_name):
    """Strides, padding, cropping, epsilon, momentum, initializers: what the names alone do
    not show."""
    case = CASES[case_name]
    model = build(case)
    for layer, (name, _, keras_config) in zip(model.layers, case["layers"]):
        config = layer.get_config()
        # JSON turns tuples into lists, as in the fixture.
        mine = json.loads(json.dumps({key: config.get(key) for key in keras_config}))
        assert mine == keras_config, name


def test_preprocess_input_matches_keras():
    np.testing.assert_array_equal(preprocessed("nasnet_mini_file"),
                                  REFERENCE["nasnet_mini_file/inputs"])
    assert nasnet.preprocess_input.__doc__.startswith("NASNet's preprocessing")


@pytest.mark.parametrize("name, builder, arguments, input_shape, seed, gamma_scale",
                         SEEDED_CASES, ids=[case[0] for case in SEEDED_CASES])
def test_seeded_weights_predict_as_keras(name, builder, arguments, input_shape, seed,
                                         gamma_scale):
    model = getattr(nasnet, builder)(weights=None, **arguments)
    model.set_weights(seeded.seeded_weights([(w.path, w.shape) for w in model.weights], seed,
                                            gamma_scale))
    outputs = model.predict(preprocessed(name), verbose=0)
    assert outputs.shape == tuple(input_shape[:1]) + tuple(model.output_shape[1:])
    assert_close_to_keras(outputs, REFERENCE[f"{name}/outputs"])


def test_keras_legacy_h5_file_loads_by_layer_order_and_predicts_as_keras():
    lamina.backend.clear_session()
    model = nasnet.NASNet(weights=str(MINI_FILE), **MINI)
    assert_close_to_keras(model.predict(REFERENCE["nasnet_mini_file/inputs"], verbose=0),
                          REFERENCE["nasnet_mini_file/outputs"])


@pytest.mark.parametrize("builder, arguments, remote_name, fname", [
    ("NASNetMobile", {}, "NASNet-mobile.h5", "nasnet_mobile.h5"),
    ("NASNetMobile", {"include_top": False, "input_shape": (96, 96, 3)},
     "NASNet-mobile-no-top.h5", "nasnet_mobile_no_top.h5"),
    ("NASNetLarge", {"include_top": False, "input_shape": (32, 32, 3)},
     "NASNet-large-no-top.h5", "nasnet_large_no_top.h5"),
])
def test_imagenet_weights_use_keras_file_names_and_hashes(monkeypatch, tmp_path, builder,
                                                          arguments, remote_name, fname):
    """A served file of Keras' name that is not Keras' file fails Keras' hash check: the
    names, the URL and the hash are Keras'."""
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    served = tmp_path / "served"
    served.mkdir()
    (served / remote_name).write_bytes(b"not the weights")
    monkeypatch.setattr(nasnet, "BASE_WEIGHTS_PATH", served.as_uri() + "/")
    with pytest.raises(ValueError, match="hash does not match"):
        getattr(lamina.applications, builder)(weights="imagenet", **arguments)
    assert not (tmp_path / "models" / fname).exists()


def test_offline_imagenet_weights_error_names_keras_file(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr(nasnet, "BASE_WEIGHTS_PATH", (tmp_path / "offline").as_uri() + "/")
    with pytest.raises(OSError) as caught:
        lamina.applications.NASNetMobile(include_top=False, weights="imagenet",
                                         input_shape=(32, 32, 3))
    message = str(caught.value)
    assert "Could not download the ImageNet weights of NASNetMobile" in message
    assert str(tmp_path / "models" / "nasnet_mobile_no_top.h5") in message


@pytest.mark.parametrize("builder, arguments, message", [
    ("NASNetMobile", {"weights": "no/such/file.h5"}, "no file exists at that path"),
    ("NASNetLarge", {"weights": "imagenet", "classes": 10}, "`classes` should be 1000"),
    ("NASNetMobile", {"weights": "imagenet", "include_top": False,
                      "input_shape": (None, None, 3)}, "must be static"),
    ("NASNetLarge", {"weights": "imagenet", "input_shape": (224, 224, 3)},
     r"should be \(331, 331, 3\)"),
    ("NASNetMobile", {"weights": None, "include_top": False, "input_shape": (31, 64, 3)},
     "at least 32x32"),
    ("NASNetMobile", {"weights": None, "include_top": True, "input_shape": (None, None, 3)},
     "static `input_shape`"),
    ("NASNetMobile", {"weights": "imagenet", "classifier_activation": "relu"},
     "Only `None` and `softmax`"),
    ("NASNetLarge", {"weights": None, "input_tensor": "pixels"}, "must be a KerasTensor"),
    ("NASNet", {"weights": None, "penultimate_filters": 100}, "must be a multiple of 24"),
    ("NASNet", {**MINI, "weights": "imagenet"}, "can only be loaded with NASNetLarge or "
                                                "NASNetMobile"),
])
def test_invalid_arguments_are_refused_with_keras_messages(builder, arguments, message):
    with pytest.raises(ValueError, match=message):
        getattr(nasnet, builder)(**arguments)


def test_nasnet_refuses_channels_first_as_keras():
    lamina.backend.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="NASNet does not support the `channels_first`"):
            lamina.applications.NASNetMobile(weights=None)
    finally:
        lamina.backend.set_image_data_format("channels_last")


def test_module_holds_builders_and_imagenet_helpers():
    apps = lamina.applications
    for builder in ("NASNetMobile", "NASNetLarge"):
        assert getattr(apps.nasnet, builder) is getattr(apps, builder)
        assert builder in apps.__all__ and builder in apps.nasnet.__all__
        assert getattr(apps, builder).__doc__.startswith(f"Instantiates {builder}")
    assert "nasnet" in apps.__all__
    assert apps.nasnet.decode_predictions is apps.imagenet_utils.decode_predictions
    pixels = np.array([[[[0.0, 127.5, 255.0]]]])
    np.testing.assert_allclose(apps.nasnet.preprocess_input(pixels.copy()), [[[[-1, 0, 1]]]])


def test_input_tensor_after_preprocessing_keeps_the_source_input():
    lamina.backend.clear_session()
    inputs = lamina.Input((32, 32, 3))
    model = lamina.applications.NASNetMobile(input_tensor=nasnet.preprocess_input(inputs),
                                             weights=None, include_top=False,
                                             pooling="max")
    assert model.inputs[0] is inputs
    assert model.output_shape == (None, 1056) and model.layers[-1].name == "global_max_pooling2d"
    assert tuple(model.predict(np.zeros((1, 32, 32, 3)), verbose=0).shape) == (1, 1056)
