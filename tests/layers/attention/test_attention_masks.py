"""Which outputs carry a mask, as Keras 3.15 attaches them (checked on Keras/jax)."""
import numpy as np

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
