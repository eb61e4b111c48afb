"""Keras-written weights load into lamina's application models and give Keras' predictions.

Fixtures (tests/fixtures/applications/, made by make_applications_reference.py with Keras 3):
MobileNetV2(alpha=0.35, 96x96) weights in Keras 2's HDF5 layout under the name of Keras'
published no-top file, the same network with a 10-class top as a Keras 3 `.weights.h5`, and
Keras' predictions for both. VGG16 and ResNet50 are too large to ship as files: both sides
fill them with `seeded_weights` and the test compares predictions.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import lamina

FIXTURES = Path(__file__).parents[1] / "fixtures" / "applications"
LEGACY_FILE = FIXTURES / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"
KERAS3_FILE = FIXTURES / "mobilenet_v2_0.35_96_top10.weights.h5"
_spec = importlib.util.spec_from_file_location("seeded_weights", FIXTURES / "seeded_weights.py")
seeded = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seeded)


@pytest.fixture(scope="module")
def reference():
    with np.load(FIXTURES / "predictions.npz") as arrays:
        return dict(arrays)


def assert_close_to_keras(actual, expected, relative=1e-4):
    """Float32 convolutions on two backends differ in rounding: within `relative` of the
    output's scale."""
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=0, atol=relative * scale)


def test_legacy_h5_file_loads_and_predicts_as_keras(reference):
    model = lamina.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3),
                                            include_top=False, weights=str(LEGACY_FILE))
    outputs = model.predict(reference["mobilenet_v2/inputs"], verbose=0)
    assert_close_to_keras(outputs, reference["mobilenet_v2/no_top"])


def test_keras3_weights_file_loads_and_predicts_as_keras(reference):
    model = lamina.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3), classes=10,
                                            weights=KERAS3_FILE)
    outputs = model.predict(reference["mobilenet_v2/inputs"], verbose=0)
    assert_close_to_keras(outputs, reference["mobilenet_v2/top10"])


@pytest.mark.parametrize("case, builder, seed", [("vgg16_notop_32", "VGG16", 16),
                                                 ("resnet50_notop_32", "ResNet50", 50)])
def test_seeded_weights_predict_as_keras(reference, case, builder, seed):
    model = getattr(lamina.applications, builder)(include_top=False, weights=None,
                                                  input_shape=(32, 32, 3))
    model.set_weights(seeded.seeded_weights([(w.path, w.shape) for w in model.weights], seed))
    outputs = model.predict(reference[f"{case}/inputs"], verbose=0)
    assert_close_to_keras(outputs, reference[f"{case}/outputs"])


def test_imagenet_weights_come_through_get_file_into_the_models_cache(monkeypatch, tmp_path,
                                                                      reference):
    # Keras' URL scheme with the fixture folder as the server: the same file name, fetched
    # and cached as the real download would be.
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr(lamina.applications.mobilenet_v2, "BASE_WEIGHT_PATH",
                        FIXTURES.as_uri() + "/")
    model = lamina.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3),
                                            include_top=False, weights="imagenet")
    assert (tmp_path / "models" / LEGACY_FILE.name).read_bytes() == LEGACY_FILE.read_bytes()
    assert_close_to_keras(model.predict(reference["mobilenet_v2/inputs"], verbose=0),
                          reference["mobilenet_v2/no_top"])


def test_imagenet_weights_are_checked_against_keras_hash(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    resnet = lamina.applications.resnet
    served = tmp_path / "served"
    served.mkdir()
    (served / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5").write_bytes(b"not it")
    monkeypatch.setattr(resnet, "BASE_WEIGHTS_PATH", served.as_uri() + "/")
    with pytest.raises(ValueError, match="hash does not match"):
        resnet.ResNet50(include_top=False, weights="imagenet", input_shape=(32, 32, 3))
    assert not (tmp_path / "models" / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
                ).exists()


def test_offline_imagenet_weights_error_says_where_to_put_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    # An unreachable server, as on a machine without internet.
    monkeypatch.setattr(lamina.applications.vgg16, "WEIGHTS_FILES", {
        False: ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                (tmp_path / "offline" / "vgg16_notop.h5").as_uri(),
                "6d6bbae143d832006294945121d1f1fc")})
    with pytest.raises(OSError) as caught:
        lamina.applications.VGG16(include_top=False, weights="imagenet",
                                  input_shape=(32, 32, 3))
    message = str(caught.value)
    assert "Could not download the ImageNet weights of VGG16" in message
    assert str(tmp_path / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5") in message
    assert "weights='/path/to/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'" in message


def test_a_cached_genuine_file_is_used_without_downloading(monkeypatch, tmp_path, reference):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / LEGACY_FILE.name).write_bytes(LEGACY_FILE.read_bytes())
    monkeypatch.setattr(lamina.applications.mobilenet_v2, "BASE_WEIGHT_PATH",
                        (tmp_path / "offline").as_uri() + "/")
    model = lamina.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3),
                                            include_top=False, weights="imagenet")
    assert_close_to_keras(model.predict(reference["mobilenet_v2/inputs"], verbose=0),
                          reference["mobilenet_v2/no_top"])
    assert (tmp_path / "models" / LEGACY_FILE.name).read_bytes() == LEGACY_FILE.read_bytes()


def test_weights_of_another_width_are_refused_naming_the_layer():
    with pytest.raises(ValueError, match=r"layer 'block_1_project' weight 'kernel' has shape "
                                         r"\(1, 1, 48, 16\), but the file holds shape "
                                         r"\(1, 1, 48, 8\)"):
        lamina.applications.MobileNetV2(alpha=0.5, input_shape=(96, 96, 3), include_top=False,
                                        weights=str(LEGACY_FILE))


def test_frozen_pretrained_base_stays_as_loaded_through_fit(reference):
    """The transfer-learning recipe: a frozen base (BatchNormalization in inference mode),
    a new head trained on top."""
    base = lamina.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3),
                                           include_top=False, weights=str(LEGACY_FILE))
    base.trainable = False
    inputs = lamina.Input((96, 96, 3))
    features = lamina.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    model = lamina.Model(inputs, lamina.layers.Dense(2, activation="softmax")(features))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = [w.copy() for w in base.get_weights()]
    model.fit(reference["mobilenet_v2/inputs"], np.array([0, 1]), epochs=2, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, base.get_weights()))
    assert_close_to_keras(base.predict(reference["mobilenet_v2/inputs"], verbose=0),
                          reference["mobilenet_v2/no_top"])
