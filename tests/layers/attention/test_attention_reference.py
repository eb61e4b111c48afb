"""Attention layers against real Keras 3 outputs (tests/fixtures/layers/attention_reference.npz)."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import layers

FIXTURE = Path(__file__).parents[2] / "fixtures" / "layers" / "attention_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}
MHA = sorted(name for name, case in CASES.items() if case["class_name"] == "MultiHeadAttention")
OTHERS = sorted(name for name in CASES if name not in MHA)


def _array(name, role):
    key = f"{name}/{role}"
    return REFERENCE[key] if key in REFERENCE.files else None


def _weights(name):
    count = sum(key.startswith(f"{name}/weight_") for key in REFERENCE.files)
    return [REFERENCE[f"{name}/weight_{index}"] for index in range(count)]


def _layer(name, from_keras_config):
    case = CASES[name]
    cls = getattr(layers, case["class_name"])
    return cls.from_config(case["keras_config"]) if from_keras_config else cls(**case["config"])


def _mha_inputs(name):
    """query, value(, key) tensors, with the Keras masks of "masked" cases attached."""
    tensors = [torch.as_tensor(_array(name, role)) for role in ("query", "value", "key")
               if _array(name, role) is not None]
    if CASES[name]["masked"]:
        tensors[0]._keras_mask = torch.as_tensor(_array(name, "query_mask"))
        tensors[1]._keras_mask = torch.as_tensor(_array(name, "value_mask"))
    return tensors


def _mha_call_kwargs(name):
    kwargs = {"use_causal_mask": CASES[name]["call"].get("use_causal_mask", False)}
    if _array(name, "attention_mask") is not None:
        kwargs["attention_mask"] = torch.as_tensor(_array(name, "attention_mask"))
    return kwargs


def _rows_with_keys(name, shape):
    """Query rows that may attend to at least one key (Keras' two paths agree on them)."""
    rows = np.ones(shape[:-1], dtype=bool)
    if CASES[name]["masked"]:
        rows &= _array(name, "query_mask")
    if _array(name, "attention_mask") is not None:
        rows &= _array(name, "attention_mask").any(axis=-1)
    return rows


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", MHA)
def test_multi_head_attention_matches_keras(name, from_keras_config):
    layer = _layer(name, from_keras_config)
    layer.build(*[tuple(s) if s else None for s in CASES[name]["shapes"]])
    layer.set_weights(_weights(name))
    inputs, kwargs = _mha_inputs(name), _mha_call_kwargs(name)
    output, scores = layer(*inputs, return_attention_scores=True, **kwargs)
    np.testing.assert_allclose(output.detach().numpy(), _array(name, "scores_output"),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores.detach().numpy(), _array(name, "scores"), rtol=1e-5,
                               atol=1e-6)
    plain = layer(*inputs, **kwargs).detach().numpy()
    # Without scores Keras takes its fused path unless the layer has a dropout rate; a row
    # with no key to attend to differs between the two (the values' mean there, 0 + bias in
    # the masked softmax), and lamina follows whichever Keras took.
    np.testing.assert_allclose(plain, _array(name, "output"), rtol=1e-5, atol=1e-5)
    rows = _rows_with_keys(name, plain.shape)
    np.testing.assert_allclose(plain[rows], _array(name, "scores_output")[rows], rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("name", MHA)
def test_multi_head_attention_weight_order_matches_keras(name):
    layer = _layer(name, False)
    layer.build(*[tuple(s) if s else None for s in CASES[name]["shapes"]])
    # Keras' paths start with its layer's name (`multi_head_attention/query/kernel`).
    keras_paths = [f"{layer.name}/{path.split('/', 1)[1]}" for path in CASES[name]["weight_paths"]]
    assert [w.path for w in layer.weights] == keras_paths
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in _weights(name)]


@pytest.mark.parametrize("from_keras_config", [False, True], ids=["constructor", "keras_config"])
@pytest.mark.parametrize("name", OTHERS)
def test_attention_matches_keras(name, from_keras_config):
    case = CASES[name]
    layer = _layer(name, from_keras_config)
    inputs = [torch.as_tensor(_array(name, role)) for role in ("query", "value", "key")
              if _array(name, role) is not None]
    layer.build([tuple(x.shape) for x in inputs])
    layer.set_weights(_weights(name))
    kwargs = dict(case["call"])
    if case["masked"]:
        kwargs["mask"] = [torch.as_tensor(_array(name, "query_mask")),
                          torch.as_tensor(_array(name, "value_mask"))]
    np.testing.assert_allclose(layer(inputs, **kwargs).detach().numpy(), _array(name, "output"),
                               rtol=1e-5, atol=1e-5)
    output, scores = layer(inputs, return_attention_scores=True, **kwargs)
    np.testing.assert_allclose(output.detach().numpy(), _array(name, "scores_output"),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores.detach().numpy(), _array(name, "scores"), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras(name):
    case = CASES[name]
    layer = _layer(name, False)
    if case["class_name"] == "MultiHeadAttention":
        layer.build(*[tuple(s) if s else None for s in case["shapes"]])  # Keras' was built
    config = json.loads(json.dumps(layer.get_config()))
    assert list(config) == list(case["keras_config"])
    assert {k: v for k, v in config.items() if k != "name"} == {
        k: v for k, v in case["keras_config"].items() if k != "name"}
