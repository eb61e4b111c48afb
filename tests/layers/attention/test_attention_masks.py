"""Which outputs carry a mask, as Keras 3.15 attaches them (checked on Keras/jax)."""
import numpy as np
import pytest

import lamina as keras


def masked_query_and_value():
    embedding = keras.layers.Embedding(10, 4, mask_zero=True)
    return embedding(np.array([[1, 2, 0]])), embedding(np.array([[3, 0]]))


def test_attention_scores_carry_no_mask_only_the_output_does():
    query, value = masked_query_and_value()
    output, scores = keras.layers.Attention()([query, value], return_attention_scores=True)
    assert output._keras_mask.tolist() == [[True, True, False]]
    assert getattr(scores, "_keras_mask", None) is None


def test_additive_attention_scores_carry_no_mask():
    query, value = masked_query_and_value()
    output, scores = keras.layers.AdditiveAttention()([query, value],
                                                      return_attention_scores=True)
    assert output._keras_mask.tolist() == [[True, True, False]]
    assert getattr(scores, "_keras_mask", None) is None


def test_attention_without_scores_keeps_the_query_mask():
    query, value = masked_query_and_value()
    output = keras.layers.Attention()([query, value])
    assert output._keras_mask.tolist() == [[True, True, False]]


def test_symbolic_attention_scores_carry_no_mask():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    output, scores = keras.layers.Attention()([embedded, embedded], return_attention_scores=True)
    assert output._keras_mask.shape == (None, None)
    assert getattr(scores, "_keras_mask", None) is None


def test_a_single_mask_goes_to_the_first_of_several_outputs():
    class TwoOutputs(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs):
            return inputs, inputs * 2

    first, second = TwoOutputs()(masked_query_and_value()[0])
    assert first._keras_mask.tolist() == [[True, True, False]]
    assert getattr(second, "_keras_mask", None) is None


def test_lstm_states_carry_no_mask():
    query, _ = masked_query_and_value()
    sequences, state_h, state_c = keras.layers.LSTM(3, return_sequences=True,
                                                    return_state=True)(query)
    assert sequences._keras_mask.tolist() == [[True, True, False]]
    assert getattr(state_h, "_keras_mask", None) is None
    assert getattr(state_c, "_keras_mask", None) is None


@pytest.mark.parametrize("attention", [keras.layers.Attention,
                                       keras.layers.AdditiveAttention])
def test_an_attention_context_concatenated_with_a_masked_query_builds_and_keeps_the_mask(
        attention):
    # The Bahdanau decoder: concatenate the query with its attention context, then a layer
    # that reads the mask. Keras records the context's mask as a convert_to_tensor node.
    layers = keras.layers
    tokens = keras.Input((None,), dtype="int32")
    query = layers.Embedding(20, 6, mask_zero=True)(tokens)
    merged = layers.Concatenate()([query, attention()([query, query])])
    model = keras.Model(tokens, layers.LSTM(2)(merged))
    assert "convert_to_tensor" in [layer.name for layer in model.operations]
    assert attention().supports_masking
    x = np.array([[1, 2, 0], [3, 0, 0]])
    assert model.predict(x, verbose=0).shape == (2, 2)
    # The padded step changes nothing: the LSTM skips it.
    np.testing.assert_allclose(model.predict(x[:, :2], verbose=0)[1],
                               model.predict(x, verbose=0)[1], rtol=1e-6)


def test_multi_head_attention_reads_the_query_mask_from_the_query_as_keras_does():
    # Keras 3.15 overwrites an explicit query_mask= with the query's own (here none).
    rng = np.random.default_rng(0)
    query, value = rng.normal(size=(2, 5, 4)).astype("f4"), rng.normal(size=(2, 6, 4)).astype("f4")
    layer = keras.layers.MultiHeadAttention(2, 3)
    explicit = np.array([[1, 1, 1, 0, 0], [1] * 5], bool)
    np.testing.assert_array_equal(layer(query, value, query_mask=explicit), layer(query, value))


def test_a_symbolic_multi_head_attention_output_carries_the_query_mask():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    output, scores = keras.layers.MultiHeadAttention(2, 2)(embedded, embedded,
                                                           return_attention_scores=True)
    assert getattr(output, "_keras_mask", None) is not None
    assert getattr(scores, "_keras_mask", None) is None
    model = keras.Model(tokens, keras.layers.LSTM(3)(output))
    assert "not_equal" in [layer.name for layer in model.operations]  # Keras' summary row
