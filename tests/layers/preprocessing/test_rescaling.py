"""Rescaling: harness, integer images to floats, per-channel scales and Keras' config form."""
import numpy as np
import torch

from lamina import layers
from lamina.testing import run_layer_test


def test_run_layer_test():
    x = np.random.default_rng(0).integers(0, 256, (2, 4, 4, 3)).astype("uint8")
    run_layer_test(layers.Rescaling, {"scale": 1 / 255.0}, input_data=x,
                   expected_output=x.astype("float64") / 255.0, expected_num_trainable_weights=0,
                   supports_masking=True)


def test_per_channel_scale_and_offset():
    x = torch.ones(1, 2, 2, 3)
    out = layers.Rescaling([1.0, 2.0, 3.0], offset=-1.0)(x)
    assert out[0, 0, 0].tolist() == [0.0, 1.0, 2.0]


def test_numpy_scale_serializes_as_keras_numpy_dict():
    layer = layers.Rescaling(np.array([0.5, 2.0]), offset=np.float32(0.25))
    config = layer.get_config()
    assert config["scale"] == {"class_name": "__numpy__",
                               "config": {"value": [0.5, 2.0], "dtype": "float64"}}
    assert config["offset"] == 0.25
    clone = layers.Rescaling.from_config(config)
    torch.testing.assert_close(clone(torch.ones(1, 2)), torch.tensor([[0.75, 2.25]]))
