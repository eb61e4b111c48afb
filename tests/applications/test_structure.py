"""Application models have Keras' layers, weights and counts (tests/fixtures/applications/
structure.json and more_structure.json, recorded from Keras 3 with weights=None by
make_applications_reference.py and make_more_applications_reference.py).

Same names, order and weight shapes is what lets Keras' published ImageNet files load: the
legacy `.h5` loader matches layers by order, the `.weights.h5` loader by name.
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import lamina

FIXTURES = Path(__file__).parents[1] / "fixtures" / "applications"
MORE_CASES = json.loads((FIXTURES / "more_structure.json").read_text())["cases"]
CASES = {**json.loads((FIXTURES / "structure.json").read_text())["cases"], **MORE_CASES}
# structure.json holds configs for every case, more_structure.json for one case per family.
CONFIG_CASES = ["resnet50", "mobilenet_v2_1.4_notop_odd", "vgg16_notop_avg"] + sorted(
    name for name, case in MORE_CASES.items() if len(case.get("layers", [[]])[0]) == 3)


# Every test here looks at shapes, or sets the weights it compares (conftest.py).
pytestmark = pytest.mark.usefixtures("quick_truncated_normal")


def build(case: dict):
    # Keras' automatic layer names (conv2d_12, ...) count from a fresh session, as in the
    # fixture script.
    lamina.backend.clear_session()
    return getattr(lamina.applications, case["builder"])(weights=None, **case["arguments"])


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
    if "digest" in case:  # the largest models: the fixture script's digest of both lists
        text = json.dumps([layers, weights], separators=(",", ":"))
        assert hashlib.sha256(text.encode()).hexdigest() == case["digest"]
        return
    assert [name for name, _ in layers] == [facts[0] for facts in case["layers"]]
    assert [cls for _, cls in layers] == [facts[1] for facts in case["layers"]]
    assert weights == case["weights"]


@pytest.mark.parametrize("case_name", CONFIG_CASES)
def test_layer_configs_match_keras(case_name):
    """Strides, padding, epsilon, momentum, activations: what the names alone do not show."""
    case = CASES[case_name]
    model = build(case)
    for layer, (name, _, keras_config) in zip(model.layers, case["layers"]):
        config = layer.get_config()
        # JSON turns tuples into lists, as in the fixture.
        mine = json.loads(json.dumps({key: config.get(key) for key in keras_config}))
        assert mine == keras_config, name


def test_input_tensor_after_preprocessing_keeps_the_source_input():
    inputs = lamina.Input((96, 96, 3))
    scaled = lamina.applications.mobilenet_v2.preprocess_input(inputs)
    model = lamina.applications.MobileNetV2(input_tensor=scaled, alpha=0.35, weights=None,
                                            include_top=False, pooling="avg")
    assert model.inputs[0] is inputs
    # Keras 3.15 measured: the tensor operations of preprocess_input are not layers.
    assert len(model.layers) == 155 and model.layers[1].name == "Conv1"
    assert model.name == "mobilenetv2_0.35_None"  # Keras' name: no input_shape was given
    assert model.output_shape == (None, 1280)
    assert tuple(model.predict(lamina.ops.ones((2, 96, 96, 3)), verbose=0).shape) == (2, 1280)
    with_top = lamina.applications.MobileNetV2(input_tensor=scaled, alpha=0.35, weights=None,
                                               classes=3)
    assert with_top.name == "mobilenetv2_0.35_96"


def test_channels_first_builds_keras_weight_shapes():
    lamina.backend.set_image_data_format("channels_first")
    try:
        model = lamina.applications.ResNet50(weights=None, include_top=False,
                                             input_shape=(3, 64, 64), pooling="max")
    finally:
        lamina.backend.set_image_data_format("channels_last")
    case = CASES["resnet50_notop_avg"]
    assert [list(w.shape) for w in model.weights] == [shape for _, shape in case["weights"]]
    assert model.output_shape == (None, 2048)
    assert model.get_layer("conv1_bn").axis in (1, [1])


@pytest.mark.parametrize("builder, arguments, message", [
    ("VGG16", {"weights": "no/such/file.h5"}, "no file exists at that path"),
    ("ResNet50", {"weights": "imagenet", "classes": 10}, "`classes` should be 1000"),
    ("VGG19", {"weights": None, "input_shape": (16, 16, 3), "include_top": False},
     "at least 32x32"),
    ("VGG16", {"weights": "imagenet", "input_shape": (96, 96, 3)}, r"should be \(224, 224, 3\)"),
    ("ResNet101", {"weights": None, "include_top": True, "input_shape": (None, None, 3)},
     "static `input_shape`"),
    ("MobileNetV2", {"weights": "imagenet", "alpha": 0.6}, "alpha must be one of"),
    ("MobileNetV2", {"weights": "imagenet", "classifier_activation": "relu"},
     "Only `None` and `softmax`"),
    ("VGG16", {"weights": None, "input_tensor": "pixels"}, "must be a KerasTensor"),
    ("MobileNet", {"weights": "imagenet", "alpha": 0.3}, "alpha can be one of"),
    ("MobileNet", {"weights": "imagenet", "depth_multiplier": 2}, "depth multiplier must be 1"),
    ("InceptionV3", {"weights": None, "include_top": False, "input_shape": (74, 74, 3)},
     "at least 75x75"),
    ("Xception", {"weights": None, "include_top": False, "input_shape": (70, 70, 3)},
     "at least 71x71"),
    ("EfficientNetB3", {"weights": "imagenet", "input_shape": (224, 224, 3)},
     r"should be \(300, 300, 3\)"),
    ("EfficientNetB0", {"weights": "imagenet", "classifier_activation": "relu"},
     "Only `None` and `softmax`"),
    ("EfficientNetV2S", {"weights": None, "input_tensor": 3}, "must be a KerasTensor"),
    ("DenseNet121", {"weights": "imagenet", "classes": 5}, "`classes` should be 1000"),
    ("ResNet50V2", {"weights": None, "input_shape": (None, None, 3)}, "static `input_shape`"),
    ("MobileNetV3Small", {"weights": "imagenet", "alpha": 0.5}, "alpha can be one of"),
    ("MobileNetV3Large", {"weights": "imagenet", "minimalistic": True, "alpha": 0.75},
     "or `1.0` for minimalistic only"),
    ("MobileNetV3Large", {"weights": None, "input_shape": (16, 48, 3)}, "at least 32x32"),
    ("ConvNeXtTiny", {"weights": None, "include_top": False, "input_shape": (31, 64, 3)},
     "at least 32x32"),
    ("ConvNeXtXLarge", {"weights": "imagenet", "input_shape": (96, 96, 3)},
     r"should be \(224, 224, 3\)"),
    ("ConvNeXtSmall", {"weights": "imagenet", "classes": 10}, "`classes` should be 1000"),
    ("ConvNeXtTiny", {"weights": "imagenet", "classifier_activation": "relu"},
     "Only `None` and `softmax`"),
    ("InceptionResNetV2", {"weights": None, "include_top": False, "input_shape": (74, 90, 3)},
     "at least 75x75"),
    ("InceptionResNetV2", {"weights": "imagenet", "input_shape": (150, 150, 3)},
     r"should be \(299, 299, 3\)"),
    ("InceptionResNetV2", {"weights": "no/such/file.h5"}, "no file exists at that path"),
])
def test_invalid_arguments_are_refused_with_keras_messages(builder, arguments, message):
    with pytest.raises(ValueError, match=message):
        getattr(lamina.applications, builder)(**arguments)


@pytest.mark.parametrize("module, builders, mode", [
    ("efficientnet", [f"EfficientNetB{i}" for i in range(8)], None),
    ("efficientnet_v2", ["EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
                         "EfficientNetV2B3", "EfficientNetV2S", "EfficientNetV2M",
                         "EfficientNetV2L"], None),
    ("inception_v3", ["InceptionV3"], "tf"),
    ("xception", ["Xception"], "tf"),
    ("mobilenet", ["MobileNet"], "tf"),
    ("densenet", ["DenseNet121", "DenseNet169", "DenseNet201"], "torch"),
    ("resnet_v2", ["ResNet50V2", "ResNet101V2", "ResNet152V2"], "tf"),
    ("mobilenet_v3", ["MobileNetV3Small", "MobileNetV3Large"], None),
    ("convnext", ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge",
                  "ConvNeXtXLarge"], None),
    ("inception_resnet_v2", ["InceptionResNetV2"], "tf"),
])
def test_family_modules_hold_builders_and_preprocessing(module, builders, mode):
    """`keras.applications.<module>.<Builder>` is `keras.applications.<Builder>`, and the
    module's preprocess_input is Keras' mode (None: the model rescales, the input passes)."""
    family = getattr(lamina.applications, module)
    for builder in builders:
        assert getattr(family, builder) is getattr(lamina.applications, builder)
        assert builder in lamina.applications.__all__ and builder in family.__all__
        assert getattr(family, builder).__doc__.startswith(f"Instantiates {builder}")
    pixels = np.array([[[[0.0, 127.5, 255.0]]]])
    expected = pixels if mode is None else lamina.applications.imagenet_utils.preprocess_input(
        pixels.copy(), mode=mode)
    np.testing.assert_allclose(family.preprocess_input(pixels.copy()), expected)
    assert family.decode_predictions is lamina.applications.imagenet_utils.decode_predictions


def test_densenet_refuses_channels_first_as_keras():
    lamina.backend.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="DenseNet does not support the `channels_first`"):
            lamina.applications.DenseNet121(weights=None)
    finally:
        lamina.backend.set_image_data_format("channels_last")


def test_mobilenet_imagenet_weights_of_another_size_warn_and_take_224(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr(lamina.applications.mobilenet, "BASE_WEIGHT_PATH",
                        (tmp_path / "offline").as_uri() + "/")
    with pytest.warns(UserWarning, match="Weights for input shape \\(224, 224\\)"), \
            pytest.raises(OSError, match="mobilenet_2_5_224_tf_no_top.h5"):
        lamina.applications.MobileNet(alpha=0.25, input_shape=(100, 100, 3),
                                      include_top=False, weights="imagenet")


def test_keras_module_paths_resolve():
    apps = lamina.applications
    assert apps.resnet50.ResNet50 is apps.resnet.ResNet50 is apps.ResNet50
    assert apps.vgg16.VGG16 is apps.VGG16 and apps.vgg19.VGG19 is apps.VGG19
    assert apps.mobilenet_v2.MobileNetV2 is apps.MobileNetV2
    assert callable(apps.resnet.ResNet101) and callable(apps.resnet.ResNet152)
    for module in (apps.vgg16, apps.vgg19, apps.resnet, apps.resnet50, apps.mobilenet_v2):
        assert callable(module.preprocess_input) and callable(module.decode_predictions)
