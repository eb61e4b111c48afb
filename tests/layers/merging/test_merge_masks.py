"""Masks through merge layers, as Keras 3.15 computes them (values checked on Keras/jax)."""
import numpy as np
import pytest
import torch

import lamina as keras


def masked_pair():
    embedding = keras.layers.Embedding(10, 3, mask_zero=True)
    return embedding(np.array([[1, 0, 2]])), embedding(np.array([[0, 0, 3]]))


@pytest.mark.parametrize("merge", ["add", "subtract", "multiply", "average", "maximum",
                                   "minimum"])
def test_elementwise_merge_keeps_a_step_any_input_keeps(merge):
    a, b = masked_pair()
    output = getattr(keras.layers, merge)([a, b])
    assert output._keras_mask.tolist() == [[True, False, True]]


def test_elementwise_merge_with_an_unmasked_input_has_no_mask():
    a, _ = masked_pair()
    output = keras.layers.add([a, torch.ones(1, 3, 3)])
    assert getattr(output, "_keras_mask", None) is None


def test_concatenate_on_the_last_axis_joins_masks_with_any():
    a, b = masked_pair()
    assert keras.layers.concatenate([a, b])._keras_mask.tolist() == [[True, False, True]]


def test_concatenate_on_the_time_axis_counts_an_unmasked_input_as_kept():
    a, _ = masked_pair()
    output = keras.layers.concatenate([a, torch.ones(1, 3, 3)], axis=1)
    assert output._keras_mask.tolist() == [[True, False, True, True, True, True]]


def test_dot_output_has_no_mask():
    a, b = masked_pair()
    assert getattr(keras.layers.dot([a, b], axes=2), "_keras_mask", None) is None


def test_merge_layers_support_masking_as_in_keras():
    assert keras.layers.Add().supports_masking and keras.layers.Concatenate().supports_masking


def test_masked_lstm_after_concatenated_embeddings_ignores_padding():
    tokens = keras.Input((None,), dtype="int32")
    embedding = keras.layers.Embedding(20, 4, mask_zero=True)
    merged = keras.layers.concatenate([embedding(tokens), embedding(tokens)])
    model = keras.Model(tokens, keras.layers.LSTM(3)(merged))
    padded = model.predict(np.array([[5, 6, 0, 0]]), verbose=0)
    unpadded = model.predict(np.array([[5, 6]]), verbose=0)
    np.testing.assert_allclose(padded, unpadded, atol=1e-6)
