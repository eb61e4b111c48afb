"""lamina.regularizers against float64 NumPy formulas, argument checks, get/serialize."""
import json

import numpy as np
import pytest
import torch

from lamina import regularizers as reg

RTOL = 1e-12


def _weight(shape=(7, 5), seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _orthogonal_reference(w, factor, mode):
    vectors = w if mode == "rows" else w.T
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-7)
    products = vectors @ vectors.T
    n = products.shape[0]
    off_diagonal = np.abs(products[~np.eye(n, dtype=bool)]).sum()
    return factor * 0.5 * off_diagonal / (n * (n - 1) / 2)


FORMULA_CASES = [
    ("l1", reg.L1(0.3), lambda w: 0.3 * np.abs(w).sum()),
    ("l1_default", reg.L1(), lambda w: 0.01 * np.abs(w).sum()),
    ("l2", reg.L2(0.2), lambda w: 0.2 * (w ** 2).sum()),
    ("l2_default", reg.L2(), lambda w: 0.01 * (w ** 2).sum()),
    ("l1l2", reg.L1L2(l1=0.1, l2=0.4), lambda w: 0.1 * np.abs(w).sum() + 0.4 * (w ** 2).sum()),
    ("l1l2_only_l2", reg.L1L2(l2=0.4), lambda w: 0.4 * (w ** 2).sum()),
    ("l1l2_zero", reg.L1L2(), lambda w: 0.0),
    ("orthogonal_rows", reg.OrthogonalRegularizer(0.5),
     lambda w: _orthogonal_reference(w, 0.5, "rows")),
    ("orthogonal_columns", reg.OrthogonalRegularizer(0.5, mode="columns"),
     lambda w: _orthogonal_reference(w, 0.5, "columns")),
]


@pytest.mark.parametrize("regularizer, reference", [c[1:] for c in FORMULA_CASES],
                         ids=[c[0] for c in FORMULA_CASES])
def test_matches_float64_numpy_formula(regularizer, reference):
    w = _weight()
    penalty = regularizer(torch.tensor(w))
    assert isinstance(penalty, torch.Tensor)
    assert penalty.ndim == 0 and penalty.dtype == torch.float64
    np.testing.assert_allclose(penalty.item(), reference(w), rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("regularizer", [c[1] for c in FORMULA_CASES],
                         ids=[c[0] for c in FORMULA_CASES])
def test_penalty_keeps_dtype_and_is_differentiable(regularizer):
    weight = torch.tensor(_weight(), dtype=torch.float32, requires_grad=True)
    penalty = regularizer(weight)
    assert penalty.dtype == torch.float32 and penalty.device == weight.device
    if penalty.requires_grad:
        penalty.backward()
        assert weight.grad is not None and torch.isfinite(weight.grad).all()


def test_l2_has_no_half_factor():
    assert reg.L2(2.0)(torch.ones(5, 5)).item() == 50.0


def test_orthogonal_regularizer_zero_on_orthogonal_rows_and_rank_check():
    assert reg.OrthogonalRegularizer(1.0)(torch.eye(4)).item() == 0.0
    # Two identical rows: the mean |cosine| over the single pair is 1.
    assert reg.OrthogonalRegularizer(1.0)(torch.ones(2, 3)).item() == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(ValueError, match="must have rank 2"):
        reg.OrthogonalRegularizer()(torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="`mode`: expected 'rows' or 'columns'"):
        reg.OrthogonalRegularizer(mode="cols")


@pytest.mark.parametrize("bad", [-0.1, "0.01", float("nan"), float("inf"), True, [0.1]])
@pytest.mark.parametrize("make", [lambda v: reg.L1(v), lambda v: reg.L2(v),
                                  lambda v: reg.L1L2(l1=v), lambda v: reg.L1L2(l2=v),
                                  lambda v: reg.OrthogonalRegularizer(v)],
                         ids=["L1", "L2", "L1L2.l1", "L1L2.l2", "Orthogonal"])
def test_rejects_negative_or_non_number_factor(make, bad):
    with pytest.raises(ValueError, match="expected a non-negative float"):
        make(bad)


def test_none_factors_use_defaults():
    assert reg.L1(None).l1 == 0.01 and reg.L2(None).l2 == 0.01
    assert reg.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}


@pytest.mark.parametrize("name, config", [
    ("l1", {"l1": 0.01}), ("l2", {"l2": 0.01}), ("l1_l2", {"l1": 0.01, "l2": 0.01}),
    ("L1", {"l1": 0.01}), ("L2", {"l2": 0.01}), ("L1L2", {"l1": 0.0, "l2": 0.0}),
    ("l1l2", {"l1": 0.0, "l2": 0.0}), ("OrthogonalRegularizer", {"factor": 0.01, "mode": "rows"}),
    ("orthogonal_regularizer", {"factor": 0.01, "mode": "rows"}),
])
def test_get_by_name(name, config):
    assert reg.get(name).get_config() == config


def test_functional_aliases():
    assert reg.l1 is reg.L1 and reg.l2 is reg.L2
    assert reg.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}
    assert reg.l1_l2(l1=0.001).get_config() == {"l1": 0.001, "l2": 0.01}
    assert isinstance(reg.l1_l2(), reg.L1L2)


def test_get_other_identifiers():
    assert reg.get(None) is None
    instance = reg.L2(0.3)
    assert reg.get(instance) is instance
    assert reg.get(reg.L1).get_config() == {"l1": 0.01}

    def custom(weight):
        return weight.sum()

    assert reg.get(custom) is custom
    keras_dict = {"module": "keras.regularizers", "class_name": "L1L2",
                  "config": {"l1": 0.5, "l2": 0.25}, "registered_name": None}
    assert reg.get(keras_dict).get_config() == {"l1": 0.5, "l2": 0.25}


def test_get_errors():
    with pytest.raises(ValueError, match="Did you mean 'l2'"):
        reg.get("l22")
    with pytest.raises(ValueError, match="Unknown regularizer: 'dropout'"):
        reg.get("dropout")
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier"):
        reg.get(0.01)


@pytest.mark.parametrize("regularizer", [
    reg.L1(0.2), reg.L2(0.05), reg.L1L2(0.1, 0.2), reg.l1_l2(),
    reg.OrthogonalRegularizer(0.3, "columns"),
], ids=lambda r: type(r).__name__)
def test_config_round_trip(regularizer):
    config = json.loads(json.dumps(reg.serialize(regularizer)))
    assert config["module"] == "keras.regularizers"
    assert config["class_name"] == type(regularizer).__name__
    restored = reg.deserialize(config)
    assert type(restored) is type(regularizer)
    assert restored.get_config() == regularizer.get_config()
    assert type(regularizer).from_config(regularizer.get_config()).get_config() == \
        regularizer.get_config()
    w = torch.tensor(_weight())
    assert torch.equal(restored(w), regularizer(w))


def test_keras_config_format():
    assert reg.serialize(reg.L2()) == {"module": "keras.regularizers", "class_name": "L2",
                                       "config": {"l2": 0.01}, "registered_name": None}


def test_custom_subclass_round_trip_with_custom_objects():
    class Scaled(reg.Regularizer):
        def __init__(self, scale=1.0):
            self.scale = scale

        def __call__(self, weight):
            return self.scale * weight.sum()

        def get_config(self):
            return {"scale": self.scale}

    config = reg.serialize(Scaled(2.0))
    assert config["registered_name"] == "Scaled"
    assert reg.deserialize(config, custom_objects={"Scaled": Scaled}).scale == 2.0


def test_serialize_none_functions_and_lambdas():
    assert reg.serialize(None) is None

    def my_penalty(weight):
        return weight.abs().sum()

    config = reg.serialize(my_penalty)
    assert config["class_name"] == "function" and config["config"] == "my_penalty"
    assert reg.deserialize(config, custom_objects={"my_penalty": my_penalty}) is my_penalty
    with pytest.raises(ValueError, match="custom_objects="):
        reg.deserialize(config)
    marker = reg.serialize(lambda weight: weight.sum())
    assert marker["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="never runs code"):
        reg.deserialize(marker)
    with pytest.raises(TypeError, match="expected a Regularizer, None or a function"):
        reg.serialize(0.5)
