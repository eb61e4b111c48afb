"""A Sequential built by its first call on text records a 'string' InputLayer, as Keras does."""
import numpy as np

import lamina as keras


def vectorizer():
    layer = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    layer.adapt(np.array(["a b c", "b c d"]))
    return layer


def test_lazily_built_sequential_on_strings_has_a_string_input():
    model = keras.Sequential([vectorizer(), keras.layers.Embedding(20, 2)])
    assert model.predict(np.array(["a b", "c"]), verbose=0).shape == (2, 4, 2)
    assert model.inputs[0].dtype == "string"
    assert model.get_config()["layers"][0]["config"]["dtype"] == "string"


def test_config_round_trip_keeps_the_string_input():
    model = keras.Sequential([vectorizer(), keras.layers.Embedding(20, 2)])
    model.predict(np.array(["a b"]), verbose=0)
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.inputs[0].dtype == "string"


def test_lazily_built_sequential_on_numbers_keeps_float32():
    model = keras.Sequential([keras.layers.Dense(2)])
    model(np.ones((1, 3), "float32"))
    assert model.inputs[0].dtype == "float32"
