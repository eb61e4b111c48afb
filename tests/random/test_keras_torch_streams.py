"""Seeded draws equal Keras' on its PyTorch backend: SeedGenerator streams, integer seeds,
seeded Dropout masks (reference: tests/fixtures/random/make_keras_torch_draws.py)."""
import json
import pathlib

import numpy as np

import lamina as keras
from lamina import ops

REFERENCE = json.loads((pathlib.Path(__file__).parents[1] / "fixtures" / "random"
                        / "keras_torch_draws.json").read_text())


def _numpy(x):
    return ops.convert_to_numpy(x)


def test_a_seed_generator_stream_starts_at_its_seed_and_counts_on():
    generator = keras.random.SeedGenerator(1337)
    np.testing.assert_array_equal(_numpy(keras.random.normal((4, 4), seed=generator)),
                                  np.float32(REFERENCE["normal_first"]))
    np.testing.assert_array_equal(_numpy(keras.random.normal((4, 4), seed=generator)),
                                  np.float32(REFERENCE["normal_second"]))


def test_integer_seeds_draw_as_keras_does():
    np.testing.assert_array_equal(_numpy(keras.random.normal((4, 4), seed=1337)),
                                  np.float32(REFERENCE["normal_int_seed"]))
    np.testing.assert_array_equal(_numpy(keras.random.uniform((3,), seed=7)),
                                  np.float32(REFERENCE["uniform_int_seed"]))


def test_seeded_dropout_and_noise_layers_draw_keras_masks():
    dropout = keras.layers.Dropout(0.5, seed=1)
    ones = np.ones((2, 6), "float32")
    masks = [_numpy(dropout(ones, training=True)).tolist() for _ in range(2)]
    assert masks == REFERENCE["dropout_masks"]
    noise = keras.layers.GaussianNoise(0.5, seed=2)(np.zeros((1, 4), "float32"), training=True)
    np.testing.assert_array_equal(_numpy(noise), np.float32(REFERENCE["gaussian_noise"]))


def test_building_a_model_draws_nothing_from_a_layers_stream():
    inputs = keras.Input((6,))
    dropout = keras.layers.Dropout(0.5, seed=1)
    keras.Model(inputs, dropout(inputs))
    assert dropout.seed_generator.counter == 0
