"""lamina.activations against float64 NumPy formulas, the `_keras_logits` contract, get/serialize."""
import math

import numpy as np
import pytest
import torch

from lamina import activations, ops

ATOL = 1e-12
RTOL = 1e-10

_erf = np.vectorize(math.erf)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sparsemax(x):
    # Reference: Martins & Astudillo (2016), row by row.
    out = np.empty_like(x)
    for i, row in enumerate(x.reshape(-1, x.shape[-1])):
        z = np.sort(row)[::-1]
        k = np.arange(1, len(z) + 1)
        cumsum = np.cumsum(z)
        support = k[1 + k * z > cumsum].max()
        tau = (cumsum[support - 1] - 1) / support
        out.reshape(-1, x.shape[-1])[i] = np.maximum(row - tau, 0)
    return out


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# (id, function, kwargs, float64 NumPy reference)
CASES = [
    ("relu", activations.relu, {}, lambda x: np.maximum(x, 0)),
    ("relu_slope", activations.relu, {"negative_slope": 0.3}, lambda x: np.where(x > 0, x, 0.3 * x)),
    ("relu_max", activations.relu, {"max_value": 2.5}, lambda x: np.clip(x, 0, 2.5)),
    ("relu_max6", activations.relu, {"max_value": 6.0}, lambda x: np.clip(x, 0, 6)),
    ("relu_threshold", activations.relu, {"threshold": 1.5}, lambda x: np.where(x > 1.5, x, 0.0)),
    ("relu_all", activations.relu, {"negative_slope": 0.5, "max_value": 3.0, "threshold": 1.0},
     lambda x: np.where(x > 1.0, np.clip(x, 0, 3.0), 0.0) - 0.5 * np.maximum(1.0 - x, 0)),
    ("leaky_relu", activations.leaky_relu, {}, lambda x: np.where(x >= 0, x, 0.2 * x)),
    ("leaky_relu_0.1", activations.leaky_relu, {"negative_slope": 0.1},
     lambda x: np.where(x >= 0, x, 0.1 * x)),
    ("relu6", activations.relu6, {}, lambda x: np.clip(x, 0, 6)),
    ("elu", activations.elu, {}, lambda x: np.where(x > 0, x, np.expm1(x))),
    ("elu_alpha", activations.elu, {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    ("selu", activations.selu, {},
     lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    ("celu", activations.celu, {"alpha": 2.0}, lambda x: np.where(x > 0, x, 2.0 * np.expm1(x / 2.0))),
    ("gelu", activations.gelu, {}, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    ("gelu_tanh", activations.gelu, {"approximate": True},
     lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    ("silu", activations.silu, {}, lambda x: x * _sigmoid(x)),
    ("swish", activations.swish, {}, lambda x: x * _sigmoid(x)),
    ("hard_silu", activations.hard_silu, {}, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("hard_swish", activations.hard_swish, {}, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("mish", activations.mish, {}, lambda x: x * np.tanh(_softplus(x))),
    ("sigmoid", activations.sigmoid, {}, _sigmoid),
    ("hard_sigmoid", activations.hard_sigmoid, {}, lambda x: np.clip(x + 3, 0, 6) / 6),
    ("sparse_sigmoid", activations.sparse_sigmoid, {}, lambda x: np.clip(0.5 * (x + 1), 0, 1)),
    ("log_sigmoid", activations.log_sigmoid, {}, lambda x: -_softplus(-x)),
    ("tanh", activations.tanh, {}, np.tanh),
    ("hard_tanh", activations.hard_tanh, {}, lambda x: np.clip(x, -1, 1)),
    ("tanh_shrink", activations.tanh_shrink, {}, lambda x: x - np.tanh(x)),
    ("hard_shrink", activations.hard_shrink, {}, lambda x: np.where(np.abs(x) > 0.5, x, 0.0)),
    ("soft_shrink", activations.soft_shrink, {"threshold": 1.0},
     lambda x: np.where(x > 1, x - 1, np.where(x < -1, x + 1, 0.0))),
    ("threshold", activations.threshold, {"threshold": 0.5, "default_value": -2.0},
     lambda x: np.where(x > 0.5, x, -2.0)),
    ("softmax", activations.softmax, {}, _softmax),
    ("softmax_axis0", activations.softmax, {"axis": 0}, lambda x: _softmax(x, axis=0)),
    ("softmax_axes", activations.softmax, {"axis": (0, 1)}, lambda x: _softmax(x, axis=(0, 1))),
    ("log_softmax", activations.log_softmax, {}, lambda x: np.log(_softmax(x))),
    ("log_softmax_axis0", activations.log_softmax, {"axis": 0}, lambda x: np.log(_softmax(x, 0))),
    ("sparsemax", activations.sparsemax, {}, _sparsemax),
    ("softplus", activations.softplus, {}, _softplus),
    ("softsign", activations.softsign, {}, lambda x: x / (np.abs(x) + 1)),
    ("sparse_plus", activations.sparse_plus, {},
     lambda x: np.where(x <= -1, 0.0, np.where(x < 1, (x + 1) ** 2 / 4, x))),
    ("squareplus", activations.squareplus, {"b": 2.0}, lambda x: (x + np.sqrt(x ** 2 + 2.0)) / 2),
    ("glu", activations.glu, {}, lambda x: x[:, :5] * _sigmoid(x[:, 5:])),
    ("exponential", activations.exponential, {}, np.exp),
    ("linear", activations.linear, {}, lambda x: x),
]


def _inputs():
    # A (6, 10) grid from -6 to 6 that avoids the kinks exactly, plus the kink points themselves.
    grid = np.linspace(-6.0, 6.0, 60).reshape(6, 10)
    grid[0, :6] = [-3.0, -1.0, 0.0, 1.0, 3.0, 0.5]
    return grid


@pytest.mark.parametrize("fn, kwargs, reference", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_float64_numpy_reference(fn, kwargs, reference):
    x = _inputs()
    out = fn(torch.tensor(x, dtype=torch.float64), **kwargs)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), reference(x), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("fn, kwargs, reference", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_float32_keeps_dtype_and_matches(fn, kwargs, reference):
    x = _inputs()
    out = fn(torch.tensor(x, dtype=torch.float32), **kwargs)
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), reference(x), rtol=1e-5, atol=1e-5)


def test_relu_keras_doc_examples():
    x = torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0])
    assert activations.relu(x).tolist() == [0.0, 0.0, 0.0, 5.0, 10.0]
    assert activations.relu(x, negative_slope=0.5).tolist() == [-5.0, -2.5, 0.0, 5.0, 10.0]
    assert activations.relu(x, max_value=5.0).tolist() == [0.0, 0.0, 0.0, 5.0, 5.0]
    assert activations.relu(x, threshold=5.0).tolist() == [0.0, 0.0, 0.0, 0.0, 10.0]


def test_accepts_python_lists():
    out = activations.relu([-1.0, 2.0])
    assert isinstance(out, torch.Tensor)
    assert out.cpu().tolist() == [0.0, 2.0]


@pytest.mark.parametrize("fn, kind", [(activations.softmax, "softmax"),
                                      (activations.sigmoid, "sigmoid")])
def test_softmax_and_sigmoid_carry_their_logits(fn, kind):
    logits = torch.randn(4, 3, requires_grad=True)
    out = fn(logits)
    assert out._keras_logits is logits
    assert out._keras_logits_kind == kind
    # The logits stay in the autograd graph, so a loss computed from them trains the model.
    out._keras_logits.sum().backward()
    assert logits.grad is not None


def test_softmax_records_its_axis():
    logits = torch.randn(2, 3, 4)
    out = activations.softmax(logits, axis=1)
    assert out._keras_logits is logits and out._keras_logits_axis == 1
    assert activations.softmax(logits)._keras_logits_axis == -1


@pytest.mark.parametrize("fn", [activations.relu, activations.log_softmax, activations.tanh,
                                activations.hard_sigmoid])
def test_other_activations_carry_no_logits(fn):
    assert not hasattr(fn(torch.randn(2, 3)), "_keras_logits")


def test_aliases_are_the_same_function():
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu


KERAS_NAMES = [
    "relu", "leaky_relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "hard_silu", "mish",
    "sigmoid", "hard_sigmoid", "sparse_sigmoid", "log_sigmoid", "tanh", "hard_tanh",
    "tanh_shrink", "hard_shrink", "soft_shrink", "threshold", "softmax", "log_softmax",
    "sparsemax", "softplus", "softsign", "sparse_plus", "squareplus", "glu", "exponential",
    "linear",
]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_get_by_name_and_serialize_round_trip(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    assert activations.serialize(fn) == name
    assert activations.deserialize(activations.serialize(fn)) is fn


@pytest.mark.parametrize("alias, target", [("swish", "silu"), ("hard_swish", "hard_silu")])
def test_get_alias_serializes_under_canonical_name(alias, target):
    fn = activations.get(alias)
    assert fn is getattr(activations, target)
    assert activations.serialize(fn) == target


def test_get_none_callable_and_dicts():
    assert activations.get(None) is activations.linear

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    assert activations.get(torch.relu) is torch.relu
    keras_dict = {"module": "keras.activations", "class_name": "function", "config": "relu",
                  "registered_name": "relu"}
    assert activations.get(keras_dict) is activations.relu
    assert activations.get({"class_name": "softmax", "config": None}) is activations.softmax


def test_get_unknown_name_suggests_close_match():
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        activations.get("rellu")
    with pytest.raises(ValueError, match="Unknown activation: 'softmaxx'"):
        activations.get("softmaxx")


def test_get_rejects_non_callable():
    with pytest.raises(ValueError, match="Could not interpret activation identifier"):
        activations.get(42)


def test_get_is_case_sensitive_like_keras():
    with pytest.raises(ValueError, match="Unknown activation: 'ReLU'"):
        activations.get("ReLU")


def test_serialize_custom_function_and_deserialize_with_custom_objects():
    def double(x):
        return x * 2

    config = activations.serialize(double)
    assert config["class_name"] == "function"
    assert config["config"] == "double"
    assert activations.deserialize(config, custom_objects={"double": double}) is double
    with pytest.raises(ValueError, match="Unknown activation"):
        activations.deserialize(config)


def test_lambda_serializes_to_a_marker_that_never_loads():
    config = activations.serialize(lambda x: x)
    assert config["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="named function"):
        activations.deserialize(config)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "gelu", "silu", "elu",
                                  "selu", "softplus", "leaky_relu", "relu6", "hard_sigmoid",
                                  "exponential", "log_softmax", "mish"])
def test_activations_on_keras_tensors_record_a_node_that_computes_the_activation(name):
    import lamina

    inputs = lamina.Input((4,))
    function = getattr(activations, name)
    outputs = function(inputs)
    assert outputs.shape == (None, 4) and outputs.dtype == "float32"
    x = np.linspace(-2, 2, 8, dtype="float32").reshape(2, 4)
    model = lamina.Model(inputs, outputs)
    np.testing.assert_allclose(model.predict(x, verbose=0), function(torch.from_numpy(x)),
                               rtol=1e-6)
    assert activations.get(name)(inputs).shape == (None, 4)
    assert activations.serialize(function) == name


@pytest.mark.parametrize("softmax", [activations.softmax, ops.softmax])
def test_a_softmax_over_one_unit_warns_as_keras_does(softmax):
    with pytest.warns(UserWarning, match=r"^You are using a softmax over axis -1 of a tensor of "
                                         r"shape \(8, 1\)\. This axis has size 1\. .*Did you mean "
                                         r"to use a sigmoid instead\?$"):
        out = softmax(torch.zeros(8, 1))
    assert torch.equal(out, torch.ones(8, 1))
