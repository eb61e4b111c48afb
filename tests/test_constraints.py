"""Constraints (and regularizers on NumPy input): Keras names, formulas vs NumPy, configs."""
import json

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import constraints, regularizers

EPS = 1e-7
W = np.random.default_rng(0).normal(size=(4, 3))


def _norms(w, axis):
    return np.sqrt((w ** 2).sum(axis=axis, keepdims=True))


REFERENCES = [
    (constraints.MaxNorm(1.5, axis=0),
     lambda w: w * np.clip(_norms(w, 0), 0, 1.5) / (EPS + _norms(w, 0))),
    (constraints.MaxNorm(0.5, axis=1),
     lambda w: w * np.clip(_norms(w, 1), 0, 0.5) / (EPS + _norms(w, 1))),
    (constraints.NonNeg(), lambda w: np.maximum(w, 0)),
    (constraints.UnitNorm(axis=0), lambda w: w / (EPS + _norms(w, 0))),
    (constraints.MinMaxNorm(0.5, 1.0, rate=0.7, axis=0),
     lambda w: w * (0.7 * np.clip(_norms(w, 0), 0.5, 1.0) + 0.3 * _norms(w, 0))
     / (EPS + _norms(w, 0))),
]


IDS = ["max_norm_axis0", "max_norm_axis1", "non_neg", "unit_norm", "min_max_norm"]


@pytest.mark.parametrize("constraint, reference", REFERENCES, ids=IDS)
def test_constraint_matches_numpy_formula(constraint, reference):
    got = constraint(torch.as_tensor(W, dtype=torch.float64))
    np.testing.assert_allclose(got.numpy(), reference(W), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("constraint, reference", REFERENCES, ids=IDS)
def test_constraints_accept_numpy_arrays_and_lists(constraint, reference):
    out = constraint(W)
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), reference(W), rtol=1e-5, atol=1e-6)
    assert isinstance(constraint(W.tolist()), torch.Tensor)


@pytest.mark.parametrize("alias, cls", [
    ("max_norm", constraints.MaxNorm), ("min_max_norm", constraints.MinMaxNorm),
    ("non_neg", constraints.NonNeg), ("unit_norm", constraints.UnitNorm),
])
def test_lower_case_aliases_are_the_keras_classes(alias, cls):
    assert getattr(constraints, alias) is cls
    assert alias in constraints.__all__
    assert type(constraints.get(alias)) is cls
    assert type(getattr(keras.constraints, alias)()) is cls


def test_max_norm_call_as_in_books():
    constraint = keras.constraints.max_norm(2.0)
    assert constraint.get_config() == {"max_value": 2.0, "axis": 0}
    layer = keras.layers.Dense(3, kernel_constraint=keras.constraints.max_norm(2.0))
    assert isinstance(layer.kernel_constraint, constraints.MaxNorm)


@pytest.mark.parametrize("constraint", [
    constraints.MaxNorm(3.0, axis=1), constraints.MinMaxNorm(0.1, 2.0, 0.5, 1),
    constraints.NonNeg(), constraints.UnitNorm(axis=-1), constraints.Constraint(),
], ids=lambda c: type(c).__name__)
def test_config_round_trip_through_json(constraint):
    config = json.loads(json.dumps(constraints.serialize(constraint)))
    assert config["module"] == "keras.constraints" and config["registered_name"] is None
    restored = constraints.deserialize(config)
    assert type(restored) is type(constraint)
    assert restored.get_config() == constraint.get_config()
    assert type(constraints.get(config)) is type(constraint)


def test_keras_serialized_max_norm_matches():
    assert constraints.serialize(constraints.max_norm(2.0)) == {
        "module": "keras.constraints", "class_name": "MaxNorm",
        "config": {"max_value": 2.0, "axis": 0}, "registered_name": None}


def test_unknown_names_and_custom_classes_give_helpful_errors():
    with pytest.raises(ValueError, match="Did you mean 'max_norm'"):
        constraints.get("max_nrom")
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        constraints.get(3)

    class Clip(constraints.Constraint):
        def __call__(self, w):
            return w.clamp(-1, 1)

    config = constraints.serialize(Clip())
    assert config["class_name"] == "Clip" and config["registered_name"] == "Clip"
    with pytest.raises(ValueError, match=r"custom_objects=\{'Clip': Clip\}"):
        constraints.deserialize(config)
    assert type(constraints.deserialize(config, custom_objects={"Clip": Clip})) is Clip


def test_function_constraints_serialize_by_name():
    def positive(w):
        return w.abs()

    config = constraints.serialize(positive)
    assert config["class_name"] == "function" and config["config"] == "positive"
    assert constraints.deserialize(config, custom_objects={"positive": positive}) is positive
    with pytest.raises(ValueError, match="custom_objects"):
        constraints.deserialize(config)
    with pytest.raises(ValueError, match="never runs code"):
        constraints.deserialize(constraints.serialize(lambda w: w))


# Regularizers accept NumPy arrays and lists as Keras does, returning a tensor.
@pytest.mark.parametrize("regularizer, reference", [
    (regularizers.L2(0.01), lambda w: 0.01 * (w ** 2).sum()),
    (regularizers.L1(0.05), lambda w: 0.05 * np.abs(w).sum()),
    (regularizers.L1L2(0.01, 0.02), lambda w: 0.01 * np.abs(w).sum() + 0.02 * (w ** 2).sum()),
], ids=["L2", "L1", "L1L2"])
def test_regularizers_accept_numpy_arrays_and_lists(regularizer, reference):
    for value in (W, W.tolist()):
        penalty = regularizer(value)
        assert isinstance(penalty, torch.Tensor) and penalty.ndim == 0
        np.testing.assert_allclose(float(penalty), reference(W), rtol=1e-5)


def test_regularizer_examples_from_keras():
    np.testing.assert_allclose(float(regularizers.L2(0.01)(np.ones(3))), 0.03, rtol=1e-6)
    penalty = regularizers.L1(0.01)(np.array([1, 2]))
    assert penalty.is_floating_point()
    np.testing.assert_allclose(float(penalty), 0.03, rtol=1e-6)
    np.testing.assert_allclose(float(regularizers.OrthogonalRegularizer(0.01)(np.eye(3))), 0.0)
