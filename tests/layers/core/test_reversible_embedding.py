"""ReversibleEmbedding against real Keras 3.15 (tests/fixtures/layers/
reversible_embedding_reference.npz and keras_reversible_embedding.keras, from
make_reversible_embedding_reference.py): the forward lookup and its mask, the reverse
projection with tied and untied weights, reverse_dtype and logit_soft_cap; weight paths,
shapes and config; a Keras-written tied language-model head loads, predicts as Keras did,
prints Keras' summary and survives a save/load round trip.
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
REFERENCE = np.load(FIXTURES / "reversible_embedding_reference.npz")
CASES = json.loads(str(REFERENCE["cases"]))
TOLERANCE = 1e-5
# float16 logits keep ~3 significant digits.
REVERSE_TOLERANCE = {"reverse_float16": 2e-3}


def _without_build(serialized):
    return {k: v for k, v in serialized.items() if k != "build_config"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lookup_reverse_weights_and_config_match_keras(name):
    case = CASES[name]
    layer = deserialize_keras_object(case["layer"])
    layer.build()
    layer.set_weights([REFERENCE[f"{name}/w{i}"] for i in range(case["weights"])])
    ids, hidden = torch.as_tensor(REFERENCE[f"{name}/ids"]), torch.as_tensor(REFERENCE[f"{name}/hidden"])
    embedded = layer(ids)
    np.testing.assert_allclose(embedded.detach().numpy(), REFERENCE[f"{name}/embedded"],
                               rtol=TOLERANCE, atol=TOLERANCE)
    if f"{name}/mask" in REFERENCE.files:
        np.testing.assert_array_equal(embedded._keras_mask.numpy(), REFERENCE[f"{name}/mask"])
    else:
        assert getattr(embedded, "_keras_mask", None) is None
    logits = layer(hidden, reverse=True)
    assert str(logits.dtype).removeprefix("torch.") == case["logits_dtype"]
    assert getattr(logits, "_keras_mask", None) is None
    tolerance = REVERSE_TOLERANCE.get(name, TOLERANCE)
    np.testing.assert_allclose(logits.detach().float().numpy(), REFERENCE[f"{name}/logits"],
                               rtol=tolerance, atol=tolerance)
    assert [w.path for w in layer.weights] == case["weight_paths"]
    assert list(layer.compute_output_shape((None, 5))) == case["output_shape"]
    assert list(layer.compute_output_shape((None, 5, 4), reverse=True)) == case["reverse_shape"]
    assert _without_build(json.loads(json.dumps(serialize_keras_object(layer)))) == \
        _without_build(case["layer"])


@pytest.mark.parametrize("kwargs, weights", [({}, 1), ({"tie_weights": False}, 2)])
def test_layer_harness(kwargs, weights):
    run_layer_test(layers.ReversibleEmbedding, {"input_dim": 7, "output_dim": 3, **kwargs},
                   input_data=np.array([[1, 2, 0], [6, 5, 4]]), expected_output_shape=(2, 3, 3),
                   expected_num_trainable_weights=weights)


def test_reverse_call_in_a_functional_model_has_the_vocabulary_shape():
    ids = lamina.Input((6,), dtype="int32")
    embedding = layers.ReversibleEmbedding(11, 4)
    logits = embedding(layers.Dense(4)(embedding(ids)), reverse=True)
    assert logits.shape == (None, 6, 11)


def test_gradients_reach_the_tied_matrix_from_both_calls():
    layer = layers.ReversibleEmbedding(5, 3)
    layer(layer(torch.tensor([[1, 2]])), reverse=True).sum().backward()
    assert layer.embeddings.grad is not None and layer.embeddings.grad.abs().sum() > 0


def test_keras_file_loads_predicts_and_round_trips(tmp_path):
    model = lamina.models.load_model(FIXTURES / "keras_reversible_embedding.keras")
    x = torch.as_tensor(REFERENCE["model/x"])
    np.testing.assert_allclose(model.predict(x, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), REFERENCE["model/y"],
                               rtol=TOLERANCE, atol=TOLERANCE)


def _summary(monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    model = lamina.models.load_model(FIXTURES / "keras_reversible_embedding.keras")
    texts = []
    model.summary(print_fn=texts.append)
    return "".join(texts)


def test_summary_counts_params_as_keras(monkeypatch):
    text, keras_text = _summary(monkeypatch), str(REFERENCE["model/summary"])
    assert "tokens" in text and "(None, 6, 11)" in text
    assert text.splitlines()[-3:] == keras_text.splitlines()[-3:]


def test_summary_is_keras_summary(monkeypatch):
    assert _summary(monkeypatch) == str(REFERENCE["model/summary"])
