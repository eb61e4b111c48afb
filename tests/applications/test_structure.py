"""Application models have Keras' layers, weights and counts (tests/fixtures/applications/
structure.json, recorded from Keras 3 with weights=None by make_applications_reference.py).

Same names, order and weight shapes is what lets Keras' published ImageNet files load: the
legacy `.h5` loader matches layers by order, the `.weights.h5` loader by name.
"""
import json
from pathlib import Path

import pytest

import lamina

FIXTURE = Path(__file__).parents[1] / "fixtures" / "applications" / "structure.json"
CASES = json.loads(FIXTURE.read_text())["cases"]


def build(case: dict):
    return getattr(lamina.applications, case["builder"])(weights=None, **case["arguments"])


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_model_matches_keras(case_name):
    case = CASES[case_name]
    model = build(case)
    assert model.name == case["name"]
    assert model.count_params() == case["count_params"]
    assert sum(int(w.numel()) for w in model.trainable_weights) == case["trainable_params"]
    assert list(model.output_shape) == case["output_shape"]
    assert [layer.name for layer in model.layers] == [name for name, _, _ in case["layers"]]
    assert [type(layer).__name__ for layer in model.layers] == [cls for _, cls, _ in
                                                                case["layers"]]
    assert [(w.path, list(w.shape)) for w in model.weights] == [
        (path, shape) for path, shape in case["weights"]]


@pytest.mark.parametrize("case_name", ["resnet50", "mobilenet_v2_1.4_notop_odd", "vgg16_notop_avg"])
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
])
def test_invalid_arguments_are_refused_with_keras_messages(builder, arguments, message):
    with pytest.raises(ValueError, match=message):
        getattr(lamina.applications, builder)(**arguments)


def test_keras_module_paths_resolve():
    apps = lamina.applications
    assert apps.resnet50.ResNet50 is apps.resnet.ResNet50 is apps.ResNet50
    assert apps.vgg16.VGG16 is apps.VGG16 and apps.vgg19.VGG19 is apps.VGG19
    assert apps.mobilenet_v2.MobileNetV2 is apps.MobileNetV2
    assert callable(apps.resnet.ResNet101) and callable(apps.resnet.ResNet152)
    for module in (apps.vgg16, apps.vgg19, apps.resnet, apps.resnet50, apps.mobilenet_v2):
        assert callable(module.preprocess_input) and callable(module.decode_predictions)
