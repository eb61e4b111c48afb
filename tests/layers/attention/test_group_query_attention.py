"""GroupQueryAttention against real Keras 3.15 (its GroupedQueryAttention class).

tests/fixtures/layers/group_query_attention_reference.npz and keras_group_query_attention.keras
come from make_group_query_attention_reference.py: each case is rebuilt from Keras'
serialization, given Keras' weights and called as Keras was (self and cross attention,
multi-query, causal, attention and padding masks, gate and sliding window, returned scores);
outputs, weight paths, shapes and config must be Keras'. The Keras-written model loads,
predicts as Keras did, prints Keras' summary and survives a save/load round trip.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from lamina.testing import run_layer_test

FIXTURES = Path(__file__).parents[2] / "fixtures" / "layers"
REFERENCE = np.load(FIXTURES / "group_query_attention_reference.npz")
CASES = json.loads(str(REFERENCE["cases"]))
TOLERANCE = 1e-5


def _without_build(serialized):
    return {k: v for k, v in serialized.items() if k != "build_config"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_weights_and_config_match_keras(name):
    case = CASES[name]
    layer = deserialize_keras_object(case["layer"])
    tensors = {t: torch.as_tensor(REFERENCE[f"{name}/{t}"]) for t in case["tensors"]}
    if "value" not in tensors:
        tensors["value"] = tensors["query"]
    layer(tensors["query"], tensors["value"], key=tensors.get("key"))
    layer.set_weights([REFERENCE[f"{name}/w{i}"] for i in range(case["weights"])])
    outputs = layer(**tensors, **case["call"])
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    assert len(outputs) == case["outputs"]
    for i, output in enumerate(outputs):
        np.testing.assert_allclose(output.detach().numpy(), REFERENCE[f"{name}/out{i}"],
                                   rtol=TOLERANCE, atol=TOLERANCE)
    assert [w.path for w in layer.weights] == case["weight_paths"]
    key_shape = tuple(tensors["key"].shape) if "key" in tensors else None
    assert list(layer.compute_output_shape(tuple(tensors["query"].shape),
                                           tuple(tensors["value"].shape), key_shape)) == \
        case["output_shape"]
    serialized = json.loads(json.dumps(serialize_keras_object(layer)))
    assert _without_build(serialized) == _without_build(case["layer"])
    if "query_mask" in tensors:
        assert torch.equal(outputs[0]._keras_mask, tensors["query_mask"])


def test_serialized_class_name_is_keras_exported_name():
    # Keras' class is GroupedQueryAttention but it writes (and needs) its exported name.
    layer = layers.GroupQueryAttention(4, 4, 2)
    assert serialize_keras_object(layer)["class_name"] == "GroupQueryAttention"


def test_layer_harness():
    run_layer_test(layers.GroupQueryAttention,
                   {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
                   input_data={"query": np.random.rand(2, 5, 8).astype("float32"),
                               "value": np.random.rand(2, 6, 8).astype("float32")},
                   expected_output_shape=(2, 5, 8), expected_num_trainable_weights=8)


def test_dropout_acts_only_in_training():
    layer = layers.GroupQueryAttention(4, 4, 2, dropout=0.5, seed=1)
    x = torch.randn(2, 5, 8)
    assert torch.equal(layer(x, x), layer(x, x, training=False))
    assert not torch.allclose(layer(x, x, training=True), layer(x, x))


def test_symbolic_call_returns_scores_shape():
    query, value = lamina.Input((5, 8)), lamina.Input((7, 8))
    output, scores = layers.GroupQueryAttention(4, 6, 3)(query, value,
                                                        return_attention_scores=True)
    assert output.shape == (None, 5, 8) and scores.shape == (None, 6, 5, 7)


def test_keras_file_loads_predicts_and_round_trips(tmp_path):
    model = lamina.models.load_model(FIXTURES / "keras_group_query_attention.keras")
    x = torch.as_tensor(REFERENCE["model/x"])
    np.testing.assert_allclose(model.predict(x, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)


def test_summary_is_keras_summary(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = lamina.models.load_model(FIXTURES / "keras_group_query_attention.keras")
    texts = []
    model.summary(print_fn=texts.append)
    assert "".join(texts) == str(REFERENCE["model/summary"])


def test_keras_errors():
    with pytest.raises(ValueError, match="`num_query_heads` must be divisible by "
                                         "`num_key_value_heads`. Received: num_query_heads=4, "
                                         "num_key_value_heads=3"):
        layers.GroupQueryAttention(4, 4, 3)
    with pytest.raises(ValueError, match="`sliding_window` must be `None` or a positive "
                                         "integer. Received: sliding_window=0"):
        layers.GroupQueryAttention(4, 4, 2, sliding_window=0)
    with pytest.raises(ValueError, match="Dropout is not supported when flash attention"):
        layers.GroupQueryAttention(4, 4, 2, dropout=0.1, flash_attention=True)
    with pytest.raises(ValueError, match="The last dimension of `query_shape` and `value_shape` "
                                         "must be equal, but are 8, 6"):
        layers.GroupQueryAttention(4, 4, 2).compute_output_shape((2, 5, 8), (2, 5, 6))


def test_building_takes_the_automatic_names_of_keras_softmax_and_dropout_sublayers():
    lamina.backend.clear_session()
    inputs = lamina.Input((4, 8))
    layers.GroupQueryAttention(4, 4, 2)(inputs, inputs)
    assert [layers.Dropout(0.1).name, layers.Softmax().name] == ["dropout_1", "softmax_1"]
