"""ConvNeXt's and InceptionResNetV2's own layers (LayerScale, StochasticDepth,
CustomScaleLayer) behave, serialize and load from Keras' files as Keras' do.

Fixtures (tests/fixtures/applications/, made by make_more_applications_reference.py with
Keras 3): a small ConvNeXt with drop path and seeded weights saved whole by Keras
(convnext_mini_droppath.keras), and Keras' predictions for it in more_predictions.npz. The
structure and seeded-prediction cases of the full models are in test_structure.py and
test_more_families_weights.py.
"""
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina.applications.convnext import LayerScale, StochasticDepth
from lamina.applications.inception_resnet_v2 import CustomScaleLayer
from lamina.saving.serialization_lib import (
    deserialize_keras_object,
    serialize_keras_object,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "applications"
# The layers' entries as Keras 3.15 writes them in a model's config.json (without nodes).
KERAS_ENTRIES = [
    ({"module": "keras.src.applications.convnext", "class_name": "LayerScale",
      "config": {"name": "convnext_tiny_stage_0_block_0_layer_scale", "trainable": True,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy",
                           "config": {"name": "float32"}, "registered_name": None},
                 "init_values": 1e-06, "projection_dim": 96},
      "registered_name": "LayerScale", "build_config": {"input_shape": [None, 8, 8, 96]}},
     {"init_values": 1e-06, "projection_dim": 96}),
    ({"module": "keras.src.applications.convnext", "class_name": "StochasticDepth",
      "config": {"name": "convnext_mini_stage_0_block_0_stochastic_depth", "trainable": True,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy",
                           "config": {"name": "float32"}, "registered_name": None},
                 "drop_path_rate": 0.1},
      "registered_name": "StochasticDepth"},
     {"drop_path_rate": 0.1}),
    ({"module": "keras.src.applications.inception_resnet_v2", "class_name": "CustomScaleLayer",
      "config": {"name": "custom_scale_layer", "trainable": True,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy",
                           "config": {"name": "float32"}, "registered_name": None},
                 "scale": 0.17},
      "registered_name": "CustomScaleLayer",
      "build_config": {"input_shape": [[None, 7, 7, 320], [None, 7, 7, 320]]}},
     {"scale": 0.17}),
]


@pytest.mark.parametrize("entry, attributes", KERAS_ENTRIES,
                         ids=[entry["class_name"] for entry, _ in KERAS_ENTRIES])
def test_keras_entries_deserialize_and_round_trip(entry, attributes):
    layer = deserialize_keras_object(entry)
    assert type(layer).__name__ == entry["class_name"]
    assert layer.name == entry["config"]["name"]
    for key, value in attributes.items():
        assert getattr(layer, key) == value
    config = layer.get_config()
    assert {key: config[key] for key in attributes} == attributes
    again = serialize_keras_object(type(layer).from_config(config))
    assert again["class_name"] == entry["class_name"]
    assert again["registered_name"] == entry["registered_name"]
    assert again["config"] == serialize_keras_object(layer)["config"]


def test_keras_convnext_file_with_drop_path_loads_and_predicts_as_keras():
    model = lamina.models.load_model(FIXTURES / "convnext_mini_droppath.keras")
    with np.load(FIXTURES / "more_predictions.npz") as arrays:
        inputs = arrays["convnext_mini_keras/inputs"]
        expected = arrays["convnext_mini_keras/outputs"]
    kinds = {type(layer).__name__ for layer in model.layers}
    assert {"LayerScale", "StochasticDepth", "Sequential", "Normalization"} <= kinds
    assert model.name == "convnext_mini" and model.output_shape == (None, 32)
    outputs = model.predict(inputs, verbose=0)
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(outputs, expected, rtol=0, atol=1e-4 * scale)


def test_stochastic_depth_drops_whole_samples_in_training_only():
    torch.manual_seed(0)
    layer = StochasticDepth(0.25)
    x = torch.ones(4000, 2, 3)
    assert torch.equal(layer(x, training=False), x)
    outputs = layer(x, training=True)
    per_sample = outputs.reshape(4000, -1)
    # Each sample is dropped whole (all 0) or kept and scaled by 1 / 0.75.
    kept = per_sample[:, 0] != 0
    assert torch.equal(per_sample, kept[:, None] * torch.full((1, 6), 1 / 0.75))
    assert abs(kept.float().mean().item() - 0.75) < 0.03


def test_layer_scale_starts_at_init_values_under_keras_weight_name():
    lamina.backend.clear_session()
    inputs = lamina.Input((4, 4, 8))
    outputs = LayerScale(1e-6, 8, name="scale")(inputs)
    model = lamina.Model(inputs, outputs)
    assert [w.path for w in model.weights] == ["scale/variable"]
    np.testing.assert_allclose(model.get_weights()[0], np.full(8, 1e-6, "float32"))
    assert model.output_shape == (None, 4, 4, 8)


def test_custom_scale_layer_adds_the_scaled_residual():
    lamina.backend.clear_session()
    a, b = lamina.Input((3,)), lamina.Input((3,))
    model = lamina.Model([a, b], CustomScaleLayer(0.2)([a, b]))
    assert model.layers[-1].name == "custom_scale_layer"
    assert model.output_shape == (None, 3)
    outputs = model.predict([np.ones((2, 3)), np.full((2, 3), 5.0)], verbose=0)
    np.testing.assert_allclose(outputs, np.full((2, 3), 2.0), rtol=1e-6)


def test_convnext_refuses_channels_first_as_keras():
    lamina.backend.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="ConvNeXt does not support the `channels_first`"):
            lamina.applications.ConvNeXtTiny(weights=None)
    finally:
        lamina.backend.set_image_data_format("channels_last")


def test_convnext_imagenet_weights_need_the_variant_in_the_name():
    with pytest.raises(ValueError, match='Model name "my_net" does not match weights variant '
                                         '"convnext_tiny"'):
        lamina.applications.ConvNeXtTiny(weights="imagenet", include_top=False,
                                         input_shape=(32, 32, 3), name="my_net")


def test_convnext_imagenet_weights_need_the_variant_architecture():
    with pytest.raises(ValueError, match="Architecture configuration does not match "
                                         "convnext_small"):
        lamina.applications.convnext.ConvNeXt([1, 1, 1, 1], [8, 16, 24, 32],
                                              name="convnext_small", weights="imagenet",
                                              include_top=False, input_shape=(32, 32, 3),
                                              weights_name="convnext_small")


def test_keras_own_layers_are_written_under_keras_module_names():
    # Keras 3.15 reads a class it does not export from the module that defines it.
    for layer, module in [(LayerScale(1e-6, 4), "keras.src.applications.convnext"),
                          (StochasticDepth(0.1), "keras.src.applications.convnext"),
                          (CustomScaleLayer(0.17), "keras.src.applications.inception_resnet_v2")]:
        config = serialize_keras_object(layer)
        assert (config["module"], config["registered_name"]) == (module, type(layer).__name__)
