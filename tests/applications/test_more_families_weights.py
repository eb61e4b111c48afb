"""Keras-written weights give Keras' predictions in the later application families.

Fixtures (tests/fixtures/applications/, made by make_more_applications_reference.py with
Keras 3): MobileNet(alpha=0.25, 128x128, no top) with seeded weights in Keras 2's HDF5 layout
under the name of Keras' published file, and Keras' predictions for it and for one small
model of each family filled by `seeded_weights` on both sides (EfficientNet, InceptionV3,
Xception, MobileNet, DenseNet, ResNetV2, MobileNetV3, EfficientNetV2, ConvNeXt,
InceptionResNetV2).
"""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import lamina

FIXTURES = Path(__file__).parents[1] / "fixtures" / "applications"
MOBILENET_FILE = FIXTURES / "mobilenet_2_5_128_tf_no_top.h5"
_spec = importlib.util.spec_from_file_location("seeded_weights", FIXTURES / "seeded_weights.py")
seeded = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seeded)
with np.load(FIXTURES / "more_predictions.npz") as _arrays:
    REFERENCE = dict(_arrays)
SEEDED_CASES = json.loads(str(REFERENCE.pop("seeded_cases")))


def assert_close_to_keras(actual, expected, relative=1e-4):
    """Float32 convolutions on two backends differ in rounding: within `relative` of the
    output's scale."""
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=0, atol=relative * scale)


@pytest.mark.parametrize("name, builder, arguments, input_shape, seed, gamma_scale",
                         SEEDED_CASES, ids=[case[0] for case in SEEDED_CASES])
def test_seeded_weights_predict_as_keras(name, builder, arguments, input_shape, seed,
                                         gamma_scale):
    model = getattr(lamina.applications, builder)(weights=None, **arguments)
    model.set_weights(seeded.seeded_weights([(w.path, w.shape) for w in model.weights], seed,
                                            gamma_scale))
    outputs = model.predict(REFERENCE[f"{name}/inputs"], verbose=0)
    assert outputs.shape == tuple(input_shape[:1]) + tuple(model.output_shape[1:])
    assert_close_to_keras(outputs, REFERENCE[f"{name}/outputs"])


def test_keras_model_file_loads_and_predicts_as_keras():
    """A whole `.keras` file written by Keras: its config rebuilds MobileNetV3Small (hard
    swish, Rescaling, the hard sigmoid's tensor operations) and its weights load."""
    model = lamina.models.load_model(FIXTURES / "mobilenetv3small_0.35_notop_64.keras")
    assert model.name == "MobileNetV3Small" and model.output_shape == (None, 192)
    assert_close_to_keras(model.predict(REFERENCE["mobilenetv3small_keras/inputs"], verbose=0),
                          REFERENCE["mobilenetv3small_keras/outputs"])


def test_efficientnet_normalization_weights_load_from_a_keras_file(tmp_path):
    """EfficientNet's input Normalization keeps ImageNet's mean and variance as weights: a
    Keras 3 weights file restores them (saved here by lamina, read back by name)."""
    model = lamina.applications.EfficientNetB0(weights=None, include_top=False,
                                               input_shape=(32, 32, 3))
    normalization = model.layers[2]
    normalization.set_weights([np.array([0.485, 0.456, 0.406], "float32"),
                               np.array([0.229, 0.224, 0.225], "float32") ** 2,
                               np.array(100, "int64")])
    model.save_weights(tmp_path / "b0.weights.h5")
    restored = lamina.applications.EfficientNetB0(weights=tmp_path / "b0.weights.h5",
                                                  include_top=False, input_shape=(32, 32, 3))
    pixels = np.full((1, 1, 1, 3), 255.0, "float32")
    assert type(restored.layers[2]).__name__ == "Normalization"
    np.testing.assert_allclose(restored.layers[2](pixels / 255.0).numpy()[0, 0, 0],
                               (1 - np.array([0.485, 0.456, 0.406])) /
                               np.array([0.229, 0.224, 0.225]), rtol=1e-5)


def test_mobilenet_legacy_h5_file_loads_and_predicts_as_keras():
    model = lamina.applications.MobileNet(alpha=0.25, input_shape=(128, 128, 3),
                                          include_top=False, weights=str(MOBILENET_FILE))
    assert_close_to_keras(model.predict(REFERENCE["mobilenet/inputs"], verbose=0),
                          REFERENCE["mobilenet/no_top"])


def test_mobilenet_imagenet_weights_come_through_get_file(monkeypatch, tmp_path):
    # Keras' URL scheme with the fixture folder as the server: Keras' file name, fetched and
    # cached as the real download would be.
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr(lamina.applications.mobilenet, "BASE_WEIGHT_PATH",
                        FIXTURES.as_uri() + "/")
    model = lamina.applications.mobilenet.MobileNet(alpha=0.25, input_shape=(128, 128, 3),
                                                    include_top=False, weights="imagenet")
    cached = tmp_path / "models" / MOBILENET_FILE.name
    assert cached.read_bytes() == MOBILENET_FILE.read_bytes()
    assert_close_to_keras(model.predict(REFERENCE["mobilenet/inputs"], verbose=0),
                          REFERENCE["mobilenet/no_top"])


@pytest.mark.parametrize("module, builder, arguments, fname", [
    ("efficientnet", "EfficientNetB0", {}, "efficientnetb0_notop.h5"),
    ("efficientnet_v2", "EfficientNetV2B0", {}, "efficientnetv2-b0_notop.h5"),
    ("densenet", "DenseNet121", {}, "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("resnet", "ResNet50V2", {}, "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("inception_v3", "InceptionV3", {},
     "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("xception", "Xception", {}, "xception_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("mobilenet_v3", "MobileNetV3Small", {},
     "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"),
    ("convnext", "ConvNeXtTiny", {}, "convnext_tiny_notop.h5"),
    ("inception_resnet_v2", "InceptionResNetV2", {},
     "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
])
def test_imagenet_weights_use_keras_file_name_and_hash(monkeypatch, tmp_path, module, builder,
                                                       arguments, fname):
    """A served file of Keras' name that is not Keras' file fails Keras' hash check: the name,
    the URL scheme and the hash are Keras'."""
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    served = tmp_path / "served"
    served.mkdir()
    (served / fname).write_bytes(b"not the weights")
    family = getattr(lamina.applications, module)
    base = "BASE_WEIGHTS_PATH" if hasattr(family, "BASE_WEIGHTS_PATH") else "BASE_WEIGHT_PATH"
    if hasattr(family, base):
        monkeypatch.setattr(family, base, served.as_uri() + "/")
    else:  # a module of fixed URLs
        files = {top: (name, served.as_uri() + "/" + name, file_hash)
                 for top, (name, _, file_hash) in family.WEIGHTS_FILES.items()}
        monkeypatch.setattr(family, "WEIGHTS_FILES", files)
    with pytest.raises(ValueError, match="hash does not match"):
        getattr(lamina.applications, builder)(include_top=False, weights="imagenet",
                                              input_shape=(96, 96, 3), **arguments)
    assert not (tmp_path / "models" / fname).exists()


def test_offline_imagenet_weights_error_names_keras_file(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr(lamina.applications.efficientnet, "BASE_WEIGHTS_PATH",
                        (tmp_path / "offline").as_uri() + "/")
    with pytest.raises(OSError) as caught:
        lamina.applications.EfficientNetB0(include_top=False, weights="imagenet",
                                           input_shape=(64, 64, 3))
    message = str(caught.value)
    assert "Could not download the ImageNet weights of EfficientNetB0" in message
    assert "to EfficientNetB0(...)" in message
    assert str(tmp_path / "models" / "efficientnetb0_notop.h5") in message
