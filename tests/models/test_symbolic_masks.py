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


# Keras 3.15's printout of `_masked_model()` (KERAS_BACKEND=jax): the masks are graph nodes —
# Embedding's `not_equal`, Masking's `not_equal` + `any`, Concatenate's mask ops — and the
# nested model's call takes its mask as an input.
EXPECTED_MASKED_SUMMARY = """\
Model: "masked_nested"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ tokens (InputLayer) │ (None, None)      │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ embedding           │ (None, None, 4)   │         48 │ tokens[0][0]      │
│ (Embedding)         │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, None, 4)   │         20 │ embedding[0][0]   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ not_equal_1         │ (None, None, 4)   │          0 │ dense[0][0]       │
│ (NotEqual)          │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ masking (Masking)   │ (None, None, 4)   │          0 │ dense[0][0]       │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ not_equal           │ (None, None)      │          0 │ tokens[0][0]      │
│ (NotEqual)          │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ any (Any)           │ (None, None)      │          0 │ not_equal_1[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ expand_dims         │ (None, None, 1)   │          0 │ not_equal[0][0]   │
│ (ExpandDims)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ zeros_like          │ (None, None, 4)   │          0 │ embedding[0][0]   │
│ (ZerosLike)         │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ expand_dims_1       │ (None, None, 1)   │          0 │ any[0][0]         │
│ (ExpandDims)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ zeros_like_1        │ (None, None, 4)   │          0 │ masking[0][0]     │
│ (ZerosLike)         │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ logical_or          │ (None, None, 4)   │          0 │ expand_dims[0][0… │
│ (LogicalOr)         │                   │            │ zeros_like[0][0]  │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ logical_or_1        │ (None, None, 4)   │          0 │ expand_dims_1[0]… │
│ (LogicalOr)         │                   │            │ zeros_like_1[0][… │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, None, 8)   │          0 │ embedding[0][0],  │
│ (Concatenate)       │                   │            │ masking[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate_1       │ (None, None, 8)   │          0 │ logical_or[0][0], │
│ (Concatenate)       │                   │            │ logical_or_1[0][… │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_1 (Dense)     │ (None, None, 4)   │         36 │ concatenate[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ any_1 (Any)         │ (None, None)      │          0 │ concatenate_1[0]… │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ encoder             │ (None, None, 3)   │         96 │ dense_1[0][0],    │
│ (Functional)        │                   │            │ any_1[0][0]       │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ global_average_poo… │ (None, 3)         │          0 │ encoder[0][0]     │
│ (GlobalAveragePool… │                   │            │                   │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 200 (800.00 B)
 Trainable params: 200 (800.00 B)
 Non-trainable params: 0 (0.00 B)
"""
KERAS_OPERATION_NAMES = ['tokens', 'embedding', 'dense', 'not_equal_1', 'masking', 'not_equal', 'any', 'expand_dims', 'zeros_like', 'expand_dims_1', 'zeros_like_1', 'logical_or', 'logical_or_1', 'concatenate', 'concatenate_1', 'dense_1', 'any_1', 'encoder', 'global_average_pooling1d']


def _masked_model():
    encoder_in = keras.Input((None, 4))
    encoder = keras.Model(encoder_in, keras.layers.LSTM(3, return_sequences=True)(encoder_in),
                          name="encoder")
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    embedded = keras.layers.Embedding(12, 4, mask_zero=True)(tokens)
    masked = keras.layers.Masking()(keras.layers.Dense(4)(embedded))
    joined = keras.layers.Concatenate()([embedded, masked])
    encoded = encoder(keras.layers.Dense(4)(joined))
    pooled = keras.layers.GlobalAveragePooling1D()(encoded)
    return keras.Model(tokens, [encoded, pooled], name="masked_nested")


def test_masks_are_graph_nodes_as_in_keras(capsys):
    model = _masked_model()
    model.summary()
    assert capsys.readouterr().out == EXPECTED_MASKED_SUMMARY
    assert [op.name for op in model.operations] == KERAS_OPERATION_NAMES
    assert [layer.name for layer in model.layers] == [
        "tokens", "embedding", "dense", "masking", "concatenate", "dense_1", "encoder",
        "global_average_pooling1d"]


def test_recorded_mask_feeds_the_layer_when_the_graph_runs():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(12, 4, mask_zero=True)(tokens)
    lstm = keras.layers.LSTM(3)
    model = keras.Model(tokens, lstm(embedded))
    node = lstm._inbound_nodes[0]
    assert node.call_kwargs["mask"] is embedded._keras_mask
    assert node.call_kwargs["mask"].history[0].name == "not_equal"
    x = np.array([[3, 5, 0, 0], [7, 0, 0, 0]])
    trimmed = [model.predict(row[None, :count], verbose=0) for row, count in zip(x, (2, 1))]
    np.testing.assert_allclose(model.predict(x, verbose=0), np.concatenate(trimmed), atol=1e-6)


def test_call_with_keyword_arguments_records_no_mask_as_in_keras():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(12, 4, mask_zero=True)(tokens)
    lstm = keras.layers.LSTM(3)
    lstm(embedded, training=False)
    assert "mask" not in lstm._inbound_nodes[0].call_kwargs


def test_nested_model_applies_the_mask_it_is_given():
    inner_in = keras.Input((None, 4))
    inner = keras.Model(inner_in, keras.layers.LSTM(3)(inner_in))
    tokens = keras.Input((None,), dtype="int32")
    model = keras.Model(tokens, inner(keras.layers.Embedding(12, 4, mask_zero=True)(tokens)))
    x = np.array([[3, 5, 0, 0], [7, 0, 0, 0]])
    trimmed = [model.predict(row[None, :count], verbose=0) for row, count in zip(x, (2, 1))]
    np.testing.assert_allclose(model.predict(x, verbose=0), np.concatenate(trimmed), atol=1e-6)


def test_a_sequential_build_takes_a_functional_name_as_in_keras():
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    growing = keras.Sequential([keras.Input((4,))])
    growing.add(keras.layers.Dense(2))
    growing.add(keras.layers.Dense(1))
    inputs = keras.Input((4,))
    # Keras 3.15: "functional", "functional_1", "functional_2" went to the three builds.
    assert keras.Model(inputs, keras.layers.Dense(3)(inputs)).name == "functional_3"


class _PassesMasks(keras.layers.Layer):
    """Takes [x, y] and passes its masks on (Keras' default `compute_mask`)."""

    def __init__(self):
        super().__init__()
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return inputs[0] + ops.mean(inputs[1], axis=1, keepdims=True)


def test_a_list_of_masks_gives_one_output_the_first_inputs_mask():
    x = keras.layers.Embedding(9, 3, mask_zero=True)(np.array([[1, 2, 0]]))
    y = keras.layers.Embedding(9, 3)(np.array([[4, 5, 6]]))
    output = _PassesMasks()([x, y])
    assert output._keras_mask.tolist() == [[True, True, False]]


def test_a_masked_sequence_output_trains_through_a_layer_taking_two_inputs():
    tokens = keras.Input((None,), dtype="int32")
    other = keras.Input((None,), dtype="int32")
    joined = _PassesMasks()([keras.layers.Embedding(9, 3, mask_zero=True)(tokens),
                             keras.layers.Embedding(9, 3)(other)])
    model = keras.Model([tokens, other], keras.layers.Dense(9, activation="softmax")(joined))
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.array([[1, 2, 0], [3, 0, 0]])
    loss = model.evaluate([x, x], x, verbose=0)
    y_pred = model.predict([x, x], verbose=0)
    kept = x != 0
    expected = -np.log(np.take_along_axis(y_pred, x[..., None], -1)[..., 0])[kept].mean()
    assert loss == pytest.approx(expected, rel=1e-5)


def test_a_layer_that_drops_a_mask_warns_in_keras_words():
    tokens = keras.Input((5,), dtype="int32")
    embedded = keras.layers.Embedding(9, 3, mask_zero=True)(tokens)
    with pytest.warns(UserWarning, match=r"Layer 'flatten' \(of type Flatten\) was passed an "
                                         r"input with a mask attached to it. However, this layer "
                                         r"does not support masking"):
        keras.layers.Flatten()(embedded)


def test_mask_aware_layers_and_tensor_operations_do_not_warn(recwarn):
    tokens = keras.Input((5,), dtype="int32")
    embedded = keras.layers.Embedding(9, 3, mask_zero=True)(tokens)
    keras.layers.LSTM(2)(keras.layers.Dense(3)(embedded * 2.0))
    assert not [w for w in recwarn if "does not support masking" in str(w.message)]


def test_the_dropped_mask_warning_comes_once_per_layer(recwarn):
    tokens = keras.Input((5,), dtype="int32")
    flatten = keras.layers.Flatten()
    model = keras.Model(tokens, flatten(keras.layers.Embedding(9, 3, mask_zero=True)(tokens)))
    model.predict(np.ones((2, 5), "int32"), verbose=0)
    model.predict(np.ones((2, 5), "int32"), verbose=0)
    dropped = [w for w in recwarn if "does not support masking" in str(w.message)]
    assert len(dropped) == 1 and f"'{flatten.name}'" in str(dropped[0].message)
