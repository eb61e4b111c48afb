"""Text and structured-data preprocessing layers against real Keras 3.

tests/fixtures/layers/text_preprocessing_reference.json holds Keras' vocabularies after
`adapt`, outputs in every output mode, TF-IDF weights, hashed bins, learned bin boundaries
and configs (written by make_text_preprocessing_reference.py beside it). Indices must match
exactly, float encodings to 1e-6, configs key for key.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "text_preprocessing_reference.json"
REFERENCE = json.loads(FIXTURE.read_text(encoding="utf-8"))


def _id(case) -> str:
    return ",".join(f"{key}={value}" for key, value in case["kwargs"].items()) or "defaults"


def _kwargs(case) -> dict:
    return {key: tuple(value) if key == "ngrams" and isinstance(value, list) else value
            for key, value in case["kwargs"].items()}


def _assert_output(output, expected, floating: bool) -> None:
    assert isinstance(output, torch.Tensor)
    if floating:
        assert output.dtype == torch.float32
        np.testing.assert_allclose(output.numpy(), np.asarray(expected, dtype=np.float32),
                                   rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(output.numpy(), np.asarray(expected))


def _config(layer) -> dict:
    config = json.loads(json.dumps(layer.get_config()))
    config.pop("name")
    return config


TEXT_CASES = REFERENCE["text_vectorization"]


@pytest.mark.parametrize("case", TEXT_CASES, ids=[_id(c) for c in TEXT_CASES])
def test_text_vectorization_matches_keras(case):
    layer = layers.TextVectorization(**_kwargs(case))
    if "vocabulary" not in case["kwargs"]:
        layer.adapt(REFERENCE["corpus"])
    assert layer.get_vocabulary() == case["vocabulary"]
    if "vocabulary_no_special" in case:
        assert layer.get_vocabulary(include_special_tokens=False) == case["vocabulary_no_special"]
        assert layer.vocabulary_size() == case["vocabulary_size"]
    output = layer(np.array(case["inputs"]))
    floating = case["kwargs"].get("output_mode", "int") != "int"
    _assert_output(output, case["outputs"], floating)
    assert output.dtype == (torch.float32 if floating else torch.int64)
    if "idf_weights" in case:
        np.testing.assert_allclose(layer._lookup_layer.idf_weights, case["idf_weights"], rtol=1e-6)
    if "config" in case:
        assert _config(layer) == case["config"]
        assert list(_config(layer)) == list(case["config"])


def test_text_vectorization_adapt_on_batches_matches_keras():
    case = REFERENCE["text_vectorization_batches"]
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(iter(np.array(batch) for batch in case["batches"]))
    assert layer.get_vocabulary() == case["vocabulary"]
    np.testing.assert_allclose(layer._lookup_layer.idf_weights, case["idf_weights"], rtol=1e-6)


LOOKUPS = [("StringLookup", case, REFERENCE["string_lookup"]["tokens"])
           for case in REFERENCE["string_lookup"]["cases"]] + \
          [("IntegerLookup", case, REFERENCE["integer_lookup"]["numbers"])
           for case in REFERENCE["integer_lookup"]["cases"]]


@pytest.mark.parametrize("class_name, case, data", LOOKUPS,
                         ids=[f"{name}:{_id(case)}" for name, case, _ in LOOKUPS])
def test_lookup_matches_keras(class_name, case, data):
    layer = getattr(layers, class_name)(**case["kwargs"])
    layer.adapt(np.array(data))
    assert layer.get_vocabulary() == case["vocabulary"]
    output = layer(np.array(case["inputs"]))
    floating = case["kwargs"].get("output_mode", "int") != "int"
    _assert_output(output, case["outputs"], floating)
    assert output.dtype == (torch.float32 if floating else torch.int64)
    if "idf_weights" in case:
        np.testing.assert_allclose(layer.idf_weights, case["idf_weights"], rtol=1e-6)
    assert _config(layer) == case["config"]
    assert list(_config(layer)) == list(case["config"])


HASH_CASES = REFERENCE["hashing"]


@pytest.mark.parametrize("case", HASH_CASES, ids=[f"{i}:{_id(c)}" for i, c in enumerate(HASH_CASES)])
def test_hashing_matches_keras_bin_for_bin(case):
    layer = layers.Hashing(**case["kwargs"])
    inputs = np.array(case["inputs"], dtype=case.get("input_dtype"))
    output = layer(inputs)
    _assert_output(output, case["outputs"], case["kwargs"].get("output_mode", "int") != "int")
    if "config" in case:
        assert _config(layer) == case["config"]


DISCRETIZATION_CASES = REFERENCE["discretization"]


@pytest.mark.parametrize("case", DISCRETIZATION_CASES, ids=[_id(c) for c in DISCRETIZATION_CASES])
def test_discretization_matches_keras(case):
    data = np.random.default_rng(0).standard_normal(1000).astype("float32")  # as the script drew it
    layer = layers.Discretization(**case["kwargs"])
    if case["adapt"] == "array":
        layer.adapt(data)
    elif case["adapt"] == "batches":
        layer.adapt(iter([data[:300], data[300:700], data[700:]]))
    assert layer.bin_boundaries == case["bin_boundaries"]
    output = layer(np.array(case["inputs"], dtype="float32"))
    expected = np.asarray(case["outputs"])
    assert output.dtype == (torch.int32 if case["kwargs"].get("output_mode", "int") == "int"
                            else torch.float32)
    np.testing.assert_array_equal(output.numpy(), expected)
    assert _config(layer) == case["config"]


CATEGORY_CASES = REFERENCE["category_encoding"]


@pytest.mark.parametrize("case", CATEGORY_CASES, ids=[f"{i}:{_id(c)}" for i, c in enumerate(CATEGORY_CASES)])
def test_category_encoding_matches_keras(case):
    layer = layers.CategoryEncoding(**case["kwargs"])
    weights = case.get("count_weights")
    output = layer(np.array(case["inputs"]),
                   count_weights=None if weights is None else np.array(weights, dtype="float32"))
    _assert_output(output, case["outputs"], floating=True)
    if "config" in case:
        assert _config(layer) == case["config"]
