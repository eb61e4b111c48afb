"""Masking: Keras' outputs and mask, and an RNN behind it skipping the padded steps."""
import json
from pathlib import Path

import numpy as np
import torch

import lamina
from lamina import layers
from lamina.saving.serialization_lib import deserialize_keras_object
from lamina.testing import run_layer_test

REFERENCE = np.load(Path(__file__).parents[2] / "fixtures" / "layers" / "rnn_reference.npz")
KERAS_CASE = json.loads(str(REFERENCE["cases"]))["cases"]["masking"]


def test_output_mask_and_config_match_keras():
    layer = deserialize_keras_object(KERAS_CASE["layer"])
    outputs = layer(torch.as_tensor(REFERENCE["masking__x"]))
    np.testing.assert_array_equal(outputs.numpy(), REFERENCE["masking__out0"])
    np.testing.assert_array_equal(outputs._keras_mask.numpy(), REFERENCE["masking__mask_out"])
    assert layer.get_config()["mask_value"] == KERAS_CASE["layer"]["config"]["mask_value"] == 0.5


def test_layer_harness():
    run_layer_test(layers.Masking, {"mask_value": 0.0}, input_shape=(2, 4, 3),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=0,
                   supports_masking=True)


def test_an_lstm_behind_masking_ignores_the_padding():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((2, 5, 3)).astype("float32")
    padded = np.concatenate([real, np.full((2, 3, 3), -1.0, "float32")], axis=1)
    model = lamina.Sequential([lamina.Input((None, 3)), layers.Masking(-1.0), layers.LSTM(4)])
    np.testing.assert_allclose(model.predict(padded, verbose=0), model.predict(real, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_integer_sequences_stay_integers_as_in_keras():
    outputs = layers.Masking()(np.array([[[1, 2], [0, 0]]], "int32"))
    assert outputs.dtype == torch.int32
    assert outputs._keras_mask.tolist() == [[True, False]]
