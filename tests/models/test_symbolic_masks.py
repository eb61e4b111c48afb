"""Symbolic masks (`x._keras_mask` on Keras tensors) and the `input` / `output` of models."""
import numpy as np
import pytest

import lamina as keras
from lamina import ops


def test_embedding_output_carries_a_symbolic_mask():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    mask = embedded._keras_mask
    assert (mask.shape, mask.dtype) == ((None, None), "bool")


def test_mask_passes_through_dense_and_sequence_lstm_but_not_a_final_lstm():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    assert keras.layers.Dense(2)(embedded)._keras_mask.shape == (None, None)
    sequences = keras.layers.LSTM(3, return_sequences=True)(embedded)
    assert sequences._keras_mask.shape == (None, None)
    assert getattr(keras.layers.LSTM(3)(embedded), "_keras_mask", None) is None


def test_unmasked_keras_tensor_has_no_mask_attribute():
    with pytest.raises(AttributeError):
        _ = keras.Input((3,))._keras_mask


def test_mask_reaches_call_during_the_symbolic_pass():
    seen = []

    class NeedsMask(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            seen.append(mask is not None)
            return inputs * ops.expand_dims(ops.cast(mask, inputs.dtype), -1)

    tokens = keras.Input((None,), dtype="int32")
    outputs = NeedsMask()(keras.layers.Embedding(10, 3, mask_zero=True)(tokens))
    model = keras.Model(tokens, outputs)
    result = model.predict(np.array([[1, 0, 2]]), verbose=0)
    assert all(seen) and np.all(result[0, 1] == 0) and np.any(result[0, 0] != 0)


def test_functional_model_input_and_output():
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(2)(inputs)
    model = keras.Model(inputs, outputs)
    assert model.input is inputs and model.output is outputs


def test_multi_io_model_input_and_output_are_lists():
    a, b = keras.Input((3,)), keras.Input((2,))
    merged = keras.layers.concatenate([a, b])
    first, second = keras.layers.Dense(1)(merged), keras.layers.Dense(2)(merged)
    model = keras.Model([a, b], [first, second])
    assert model.input == [a, b] and model.output == [first, second]


def test_feature_extractor_from_model_input():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    extractor = keras.Model(model.input, [layer.output for layer in model.layers])
    shapes = [tuple(f.shape) for f in extractor(np.ones((2, 4), "float32"))]
    assert shapes == [(2, 4), (2, 3), (2, 1)]


def test_sequential_input_and_output():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert model.input.shape == (None, 3) and model.output.shape == (None, 2)


def test_unbuilt_sequential_has_no_input():
    model = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(AttributeError, match="has never been called"):
        _ = model.input
