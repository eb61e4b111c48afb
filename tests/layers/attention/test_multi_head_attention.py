"""MultiHeadAttention: harness, both attention paths, masks, dropout, shapes and learner errors."""
import re

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


def _data(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype("float32") for shape in shapes]


@pytest.mark.parametrize("config, data, call_kwargs, output_shape, weights", [
    ({"num_heads": 2, "key_dim": 4}, ("query", "value"), {}, (2, 5, 8), 8),
    ({"num_heads": 2, "key_dim": 4, "value_dim": 3, "output_shape": 6},
     ("query", "value", "key"), {}, (2, 5, 6), 8),
    ({"num_heads": 2, "key_dim": 4, "use_bias": False}, ("query", "value"),
     {"use_causal_mask": True}, (2, 5, 8), 4),
    ({"num_heads": 1, "key_dim": 4, "use_gate": True, "sliding_window": 2}, ("query", "value"), {},
     (2, 5, 8), 10),
], ids=["self", "cross_key_output_shape", "no_bias_causal", "gate_window"])
def test_run_layer_test(config, data, call_kwargs, output_shape, weights):
    query, value, key = _data((2, 5, 8), (2, 7, 8), (2, 7, 6))
    arrays = {"query": query, "value": value, "key": key}
    run_layer_test(layers.MultiHeadAttention, config, input_data={k: arrays[k] for k in data},
                   call_kwargs=call_kwargs, expected_output_shape=output_shape,
                   expected_num_trainable_weights=weights, expected_num_non_trainable_weights=0,
                   supports_masking=True)


def test_run_layer_test_dropout_differs_in_training():
    query, value = _data((2, 5, 8), (2, 6, 8))
    run_layer_test(layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 4, "dropout": 0.5,
                                               "seed": 3},
                   input_data={"query": query, "value": value}, expected_output_shape=(2, 5, 8),
                   training_differs=True)


def test_param_count_and_weight_layout_match_keras():
    inputs = lamina.Input((10, 32))
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=16)
    model = lamina.Model(inputs, layer(inputs, inputs))
    assert model.count_params() == layer.count_params() == 4224
    assert [tuple(w.shape) for w in layer.weights] == [
        (32, 2, 16), (2, 16), (32, 2, 16), (2, 16), (32, 2, 16), (2, 16), (2, 16, 32), (32,)]
    assert [w.path for w in layer.weights][-2:] == [f"{layer.name}/attention_output/kernel",
                                                    f"{layer.name}/attention_output/bias"]


def test_use_bias_false_weights_match_keras():
    # Keras 3.15 (JAX), the same model: paths, names, shapes and get_weights() order.
    inputs = lamina.Input((4, 8))
    hidden = layers.Dense(8, name="pre")(inputs)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, use_bias=False, name="mha")
    model = lamina.Model(inputs, layers.LayerNormalization(name="ln")(layer(hidden, hidden)))
    assert [w.path for w in model.weights] == [
        "pre/kernel", "pre/bias", "mha/query/kernel", "mha/key/kernel", "mha/value/kernel",
        "mha/attention_output/kernel", "ln/gamma", "ln/beta"]
    assert [w.name for w in layer.weights] == ["kernel"] * 4
    assert [w.path for w in layer.trainable_weights] == [w.path for w in layer.weights]
    assert [a.shape for a in model.get_weights()] == [
        (8, 8), (8,), (8, 2, 3), (8, 2, 3), (8, 2, 3), (2, 3, 8), (8,), (8,)]


def test_kernels_use_einsum_dense_fans():
    # Keras' EinsumDense counts (dim) as fan_in and (heads, key_dim) as fan_out: the glorot
    # limit of the (32, 2, 16) kernel is sqrt(6 / (32 + 32)), not the conv rule's.
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=16)
    layer.build((None, 10, 32), (None, 10, 32))
    limit = float(np.sqrt(6 / 64))
    kernel = layer.query_dense.kernel.detach()
    assert float(kernel.abs().max()) <= limit
    assert float(kernel.abs().max()) > 0.9 * limit


@pytest.mark.parametrize("case", ["padding_masks", "attention_mask", "causal_and_mask", "causal",
                                  "sliding_window"])
def test_fused_and_explicit_paths_agree(case):
    torch.manual_seed(0)
    window = 2 if case == "sliding_window" else None
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, sliding_window=window)
    query, value = torch.randn(3, 5, 8), torch.randn(3, 6, 8)
    kwargs = {"use_causal_mask": case in ("causal", "causal_and_mask")}
    if case in ("padding_masks", "causal_and_mask"):
        query._keras_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]]).bool()
        value._keras_mask = torch.tensor([[1] * 6, [1, 1, 1, 1, 0, 0], [0] * 6]).bool()
    if case == "attention_mask":
        kwargs["attention_mask"] = torch.rand(3, 5, 6) > 0.5
    fused = layer(query, value, **kwargs)
    explicit, scores = layer(query, value, return_attention_scores=True, **kwargs)
    # They agree on every query row with a key to attend to; a row without one is the mean
    # of the values on the fused path and 0 + bias on the explicit one, as in Keras.
    rows = scores.sum(dim=-1)[:, 0] > 0.5
    torch.testing.assert_close(fused[rows], explicit[rows], rtol=1e-5, atol=1e-6)
    lonely = ~rows
    if lonely.any():
        projected = layer.value_dense(value)  # (B, S, heads, size): every key weighs alike
        mean = layer.output_dense(projected.mean(dim=1, keepdim=True))
        torch.testing.assert_close(fused[lonely], mean.expand_as(fused)[lonely], rtol=1e-5,
                                   atol=1e-5)


def test_query_with_no_key_gets_zero_weights_and_finite_gradients():
    torch.manual_seed(0)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    query = torch.randn(2, 3, 8, requires_grad=True)
    value = torch.randn(2, 4, 8)
    mask = torch.ones(2, 3, 4, dtype=torch.bool)
    mask[0, 1] = False
    output, scores = layer(query, value, attention_mask=mask, return_attention_scores=True)
    assert float(scores.detach()[0, :, 1].abs().max()) == 0.0
    # With no key, the row's attention output is 0, so the layer outputs the output bias.
    torch.testing.assert_close(output[0, 1], layer.output_dense.bias.detach())
    layer(query, value, attention_mask=mask).sum().backward()
    assert torch.isfinite(query.grad).all()


def test_masks_come_from_the_inputs_and_the_query_mask_goes_to_the_output():
    torch.manual_seed(0)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    query, value = torch.randn(2, 4, 8), torch.randn(2, 5, 8)
    query_mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]]).bool()
    value_mask = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]]).bool()
    explicit = layer(query, value, value_mask=value_mask)
    # Keras 3.15 takes the query's mask from the query only, overwriting query_mask=.
    torch.testing.assert_close(layer(query, value, query_mask=query_mask, value_mask=value_mask),
                               explicit)
    value._keras_mask = value_mask
    torch.testing.assert_close(layer(query, value), explicit)
    query._keras_mask = query_mask
    carried = layer(query, value)
    assert not torch.allclose(carried, explicit)  # the query's own mask masks its rows
    assert torch.equal(carried._keras_mask, query_mask)
    changed = value.clone()
    changed[1, 3:] = 100.0  # masked keys do not matter to a query row with a key to see
    changed._keras_mask = value_mask
    torch.testing.assert_close(layer(query, changed)[query_mask], carried[query_mask])
    _, scores = layer(query, value, return_attention_scores=True)
    assert not hasattr(scores, "_keras_mask")


def test_dropout_only_in_training_and_reproducible_with_seed():
    query = torch.randn(2, 5, 8)
    plain = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    plain(query, query)
    dropped = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=7)
    dropped(query, query)
    dropped.set_weights(plain.get_weights())
    torch.testing.assert_close(dropped(query, query), plain(query, query))
    first = dropped(query, query, training=True)
    assert not torch.allclose(first, plain(query, query))
    again = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5, seed=7)
    again(query, query)
    again.set_weights(plain.get_weights())
    torch.testing.assert_close(again(query, query, training=True), first)
    assert not torch.allclose(dropped(query, query, training=True), first)


def test_symbolic_calls_keep_unknown_dims_and_return_scores():
    inputs = lamina.Input((None, 16))
    output, scores = layers.MultiHeadAttention(num_heads=4, key_dim=8)(
        inputs, inputs, return_attention_scores=True, use_causal_mask=True)
    assert output.shape == (None, None, 16)
    assert scores.shape == (None, 4, None, None)
    keyword = layers.MultiHeadAttention(num_heads=2, key_dim=8, output_shape=(3, 5))(
        query=inputs, value=inputs)
    assert keyword.shape == (None, None, 3, 5)


def test_numpy_inputs_as_keywords():
    query = np.random.default_rng(0).standard_normal((2, 3, 4))
    output = layers.MultiHeadAttention(num_heads=1, key_dim=2)(query=query, value=query)
    assert output.shape == (2, 3, 4) and output.dtype == torch.float32


def test_build_config_round_trip():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    layer(torch.zeros(1, 3, 8), torch.zeros(1, 5, 6))
    config = layer.get_build_config()
    assert config == {"shapes_dict": {"query_shape": [1, 3, 8], "value_shape": [1, 5, 6]}}
    clone = layers.MultiHeadAttention.from_config(layer.get_config())
    clone.build_from_config(config)
    clone.set_weights(layer.get_weights())
    query, value = torch.randn(2, 3, 8), torch.randn(2, 5, 6)
    torch.testing.assert_close(clone(query, value), layer(query, value))


def test_attention_axes_config_resolves_at_build():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3, attention_axes=-2)
    assert layer.get_config()["attention_axes"] == (-2,)
    layer(torch.zeros(1, 2, 4, 6), torch.zeros(1, 2, 4, 6))
    assert layer.get_config()["attention_axes"] == (2,)


@pytest.mark.parametrize("kwargs, message", [
    ({"num_heads": 0, "key_dim": 4},
     "argument `num_heads`, expected a positive integer. Received: num_heads=0"),
    ({"num_heads": 2, "key_dim": 2.5},
     "argument `key_dim`, expected a positive integer. Received: key_dim=2.5"),
    ({"num_heads": 2, "key_dim": 4, "value_dim": -1},
     "positive integer or `None`. Received: value_dim=-1"),
    ({"num_heads": 2, "key_dim": 4, "dropout": 1.0},
     "argument `dropout`. Expected a float value between 0 and 1"),
    ({"num_heads": 2, "key_dim": 4, "output_shape": "wide"}, "Invalid `output_shape`: 'wide'"),
    ({"num_heads": 2, "key_dim": 4, "attention_axes": "1"},
     "`attention_axes` must be an int, list, or tuple"),
    ({"num_heads": 2, "key_dim": 4, "sliding_window": 0},
     "`sliding_window`, expected `None` or a positive"),
    ({"num_heads": 2, "key_dim": 4, "flash_attention": True, "dropout": 0.1},
     "Dropout is not supported when flash attention is enabled"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        layers.MultiHeadAttention(**kwargs)


def test_flash_attention_refuses_scores():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, flash_attention=True)
    x = torch.randn(1, 3, 8)
    assert layer(x, x).shape == (1, 3, 8)
    with pytest.raises(ValueError, match="Returning attention scores is not supported when flash"):
        layer(x, x, return_attention_scores=True)


def test_value_and_key_must_match_except_features():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    with pytest.raises(ValueError, match=r"All dimensions of `value` and `key`, except the last "
                       r"one, must be equal. Received: value_shape=\(1, 5, 8\) and "
                       r"key_shape=\(1, 4, 8\)"):
        layer(torch.zeros(1, 3, 8), torch.zeros(1, 5, 8), torch.zeros(1, 4, 8))


def test_two_dimensional_query_explains_the_sequence_axis():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")
    with pytest.raises(ValueError, match=r"Layer 'mha' \(MultiHeadAttention\) expects `query` "
                       r"of rank >= 3, \(batch, sequence, features\), but received shape "
                       r"\(4, 32\)\. .*"
                       r"`x\[:, None, :\]` or `Reshape\(\(1, 32\)\)`"):
        layer(torch.zeros(4, 32), torch.zeros(4, 32))


def test_embedding_masks_reach_attention_in_a_functional_model():
    tokens = np.array([[3, 5, 7, 0, 0, 0], [4, 0, 0, 0, 0, 0]], dtype="int32")
    inputs = lamina.Input((6,), dtype="int32")
    embedding = layers.Embedding(20, 8, mask_zero=True)
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    embedded = embedding(inputs)
    model = lamina.Model(inputs, attention(embedded, embedded))
    vectors = embedding(torch.as_tensor(tokens)).detach()
    vectors._keras_mask = torch.as_tensor(tokens != 0)  # what the Embedding's output carries
    expected = attention(vectors, vectors)
    torch.testing.assert_close(model(tokens), expected)
    unmasked = attention(vectors.detach(), vectors.detach())
    assert not torch.allclose(expected[:, :1], unmasked[:, :1])


def test_building_takes_the_automatic_names_of_keras_softmax_and_dropout_sublayers():
    # Keras' MultiHeadAttention.build creates Softmax and Dropout sublayers under automatic
    # names, so a ViT's first user Dropout after one attention layer is 'dropout_1' in Keras.
    lamina.backend.clear_session()
    inputs = lamina.Input((4, 8))
    attended = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=4)(inputs, inputs)
    after = [lamina.layers.Dropout(0.1), lamina.layers.Softmax(), lamina.layers.Dense(3)]
    assert attended.shape == (None, 4, 8)
    assert [layer.name for layer in after] == ["dropout_1", "softmax_1", "dense"]


def test_masked_inputs_warn_about_no_projection(recwarn):
    tokens = torch.tensor([[3, 1, 0, 0]])
    embedded = layers.Embedding(9, 8, mask_zero=True)(tokens)
    layers.MultiHeadAttention(num_heads=2, key_dim=4)(embedded, embedded)
    assert not [w for w in recwarn if "does not support masking" in str(w.message)]
