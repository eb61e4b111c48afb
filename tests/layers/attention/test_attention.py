"""Attention (dot and concat scores): harness, NumPy reference, masks, dropout, errors."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


def _inputs(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype("float32") for shape in shapes]


@pytest.mark.parametrize("config, weights", [
    ({}, 0), ({"use_scale": True}, 1), ({"score_mode": "concat"}, 1),
    ({"score_mode": "concat", "use_scale": True}, 2)])
def test_run_layer_test(config, weights):
    run_layer_test(layers.Attention, config, input_data=_inputs((2, 3, 4), (2, 5, 4)),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=weights,
                   expected_num_non_trainable_weights=0)


def test_run_layer_test_with_key_and_dropout():
    run_layer_test(layers.Attention, {"dropout": 0.5, "seed": 1},
                   input_data=_inputs((2, 3, 4), (2, 5, 6), (2, 5, 4)),
                   expected_output_shape=(2, 3, 6), training_differs=True)


def _numpy_attention(query, value, key, value_mask=None, query_mask=None, scale=1.0):
    scores = scale * np.einsum("bqd,bkd->bqk", query.astype("float64"), key.astype("float64"))
    if value_mask is not None:
        scores = np.where(value_mask[:, None, :], scores, scores - 1e9)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    outputs = weights @ value
    if query_mask is not None:
        outputs = np.where(query_mask[..., None], outputs, 0.0)
    return outputs, weights


def test_dot_scores_match_a_float64_reference_with_masks_from_the_inputs():
    query, value, key = _inputs((2, 3, 4), (2, 5, 6), (2, 5, 4))
    query_mask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    value_mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 0, 1]], bool)
    layer = layers.Attention(use_scale=True)
    layer.build([query.shape, value.shape, key.shape])
    layer.set_weights([np.array(0.7, "float32")])
    tensors = [torch.as_tensor(x) for x in (query, value, key)]
    tensors[0]._keras_mask, tensors[1]._keras_mask = (torch.as_tensor(query_mask),
                                                      torch.as_tensor(value_mask))
    output, weights = layer(tensors, return_attention_scores=True)
    expected, expected_weights = _numpy_attention(query, value, key, value_mask, query_mask, 0.7)
    np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(weights.detach().numpy(), expected_weights, rtol=1e-5, atol=1e-6)
    assert torch.equal(output._keras_mask, torch.as_tensor(query_mask))


def test_causal_mask_hides_later_values():
    query, value = (torch.as_tensor(x) for x in _inputs((1, 4, 3), (1, 4, 3)))
    _, weights = layers.Attention()([query, value], use_causal_mask=True,
                                    return_attention_scores=True)
    assert torch.equal(torch.triu(weights[0], diagonal=1), torch.zeros(4, 4))
    torch.testing.assert_close(weights.sum(-1), torch.ones(1, 4))


def test_symbolic_outputs_with_scores():
    query, value = lamina.Input((None, 4)), lamina.Input((7, 6))
    output, scores = layers.Attention()([query, value, lamina.Input((7, 4))],
                                        return_attention_scores=True)
    assert output.shape == (None, None, 6) and scores.shape == (None, None, 7)


def test_dropout_is_seeded_and_only_in_training():
    data = [torch.as_tensor(x) for x in _inputs((2, 3, 4), (2, 5, 4))]
    plain = layers.Attention()(data)
    layer = layers.Attention(dropout=0.5, seed=2)
    torch.testing.assert_close(layer(data), plain)
    first = layer(data, training=True)
    assert not torch.allclose(first, plain)
    torch.testing.assert_close(layers.Attention(dropout=0.5, seed=2)(data, training=True), first)


def test_config_round_trip_keeps_score_mode():
    layer = layers.Attention.from_config(layers.Attention(score_mode="concat", seed=3).get_config())
    assert (layer.score_mode, layer.seed) == ("concat", 3)


def test_bad_score_mode():
    with pytest.raises(ValueError, match=r"Invalid value for argument score_mode. Expected one of "
                                         r"\{'dot', 'concat'\}. Received: score_mode='add'"):
        layers.Attention(score_mode="add")


def test_inputs_must_be_a_list_of_two_or_three():
    x = torch.zeros(1, 2, 3)
    with pytest.raises(ValueError, match=r"Attention layer must be called on a list of inputs, "
                                         r"namely \[query, value\] or \[query, value, key\]. "
                                         r"Received: inputs=a tensor of shape \(1, 2, 3\)"):
        layers.Attention()(x)
    with pytest.raises(ValueError, match="accepts inputs list of length 2 or 3.*length: 4"):
        layers.Attention()([x, x, x, x])
    with pytest.raises(ValueError, match=r"mask must be a list, namely \[query_mask, value_mask\]"):
        layers.Attention()([x, x], mask=torch.ones(1, 2, dtype=torch.bool))
