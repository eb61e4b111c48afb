"""Tests for lamina.losses: values against float64 NumPy references, Keras' check values,
the logits path, reductions, rank handling, configs, get() and validate_targets."""
import math

import numpy as np
import pytest
import torch

from lamina import losses

EPS = 1e-7
TOL = dict(rtol=1e-5, atol=1e-5)
RNG = np.random.default_rng(0)
N, C = 6, 4


# ---------------------------------------------------------------- float64 NumPy references
def _clip(p):
    return np.clip(p, EPS, 1 - EPS)


def _log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def ref_sparse_ce(y, p, from_logits=False):
    logp = _log_softmax(p) if from_logits else np.log(_clip(p / p.sum(-1, keepdims=True)))
    return -np.take_along_axis(logp, y.reshape(-1, 1).astype(int), -1)[:, 0]


def ref_ce(y, p, from_logits=False, label_smoothing=0.0):
    y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    logp = _log_softmax(p) if from_logits else np.log(_clip(p / p.sum(-1, keepdims=True)))
    return -(y * logp).sum(-1)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def ref_bce(y, p, from_logits=False, label_smoothing=0.0):
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return (np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p)))).mean(-1)
    p = _clip(p)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


def ref_binary_focal(y, p, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                     from_logits=False, label_smoothing=0.0):
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = _sigmoid(p)
    q = _clip(p)
    bce = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    p_t = y * p + (1 - y) * (1 - p)
    focal = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = (y * alpha + (1 - y) * (1 - alpha)) * focal
    return focal.mean(-1)


def ref_categorical_focal(y, p, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0):
    y = y * (1 - label_smoothing) + label_smoothing / y.shape[-1]
    if from_logits:
        p = np.exp(_log_softmax(p))
    o = _clip(p / p.sum(-1, keepdims=True))
    return (np.asarray(alpha) * (1 - o) ** gamma * -y * np.log(o)).sum(-1)


def ref_cosine(y, p, axis=-1):
    def unit(x):
        return x / np.sqrt(np.maximum((x ** 2).sum(axis, keepdims=True), EPS ** 2))
    return -(unit(y) * unit(p)).sum(axis)


def _hinge_labels(y):
    return 2 * y - 1 if np.isin(y, [0, 1]).all() else y


REFERENCES = {
    "mean_squared_error": lambda y, p: ((y - p) ** 2).mean(-1),
    "mean_absolute_error": lambda y, p: np.abs(y - p).mean(-1),
    "mean_absolute_percentage_error":
        lambda y, p: 100 * np.abs((y - p) / np.maximum(np.abs(y), EPS)).mean(-1),
    "mean_squared_logarithmic_error":
        lambda y, p: ((np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(y, EPS))) ** 2).mean(-1),
    "huber": lambda y, p, delta=1.0: np.where(np.abs(p - y) <= delta, 0.5 * (p - y) ** 2,
                                              delta * np.abs(p - y) - 0.5 * delta ** 2).mean(-1),
    "log_cosh": lambda y, p: np.log(np.cosh(p - y)).mean(-1),
    "hinge": lambda y, p: np.maximum(1 - _hinge_labels(y) * p, 0).mean(-1),
    "squared_hinge": lambda y, p: (np.maximum(1 - _hinge_labels(y) * p, 0) ** 2).mean(-1),
    "categorical_hinge": lambda y, p: np.maximum(((1 - y) * p).max(-1) - (y * p).sum(-1) + 1, 0),
    "kl_divergence": lambda y, p: (np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1)
                                                               / np.clip(p, EPS, 1))).sum(-1),
    "poisson": lambda y, p: (p - y * np.log(p + EPS)).mean(-1),
    "cosine_similarity": ref_cosine,
    "sparse_categorical_crossentropy": ref_sparse_ce,
    "categorical_crossentropy": ref_ce,
    "binary_crossentropy": ref_bce,
    "binary_focal_crossentropy": ref_binary_focal,
    "categorical_focal_crossentropy": ref_categorical_focal,
}


def _probs(shape=(N, C)):
    p = RNG.uniform(0.05, 1.0, size=shape)
    return p / p.sum(-1, keepdims=True)


def _one_hot(shape=(N, C)):
    return np.eye(shape[-1])[RNG.integers(0, shape[-1], size=shape[:-1])]


def _data(kind):
    if kind == "regression":
        return RNG.normal(size=(N, C)), RNG.normal(size=(N, C))
    if kind == "positive":
        return RNG.uniform(0.1, 3, size=(N, C)), RNG.uniform(0.1, 3, size=(N, C))
    if kind == "sparse":
        return RNG.integers(0, C, size=(N,)), _probs()
    if kind == "sparse_logits":
        return RNG.integers(0, C, size=(N,)), RNG.normal(scale=3, size=(N, C))
    if kind == "onehot":
        return _one_hot(), _probs()
    if kind == "onehot_logits":
        return _one_hot(), RNG.normal(scale=3, size=(N, C))
    if kind == "binary":
        return RNG.integers(0, 2, size=(N, C)).astype(float), RNG.uniform(0.01, 0.99, (N, C))
    if kind == "binary_logits":
        return RNG.integers(0, 2, size=(N, C)).astype(float), RNG.normal(scale=3, size=(N, C))
    if kind == "signs":
        return RNG.choice([-1.0, 1.0], size=(N, C)), RNG.normal(size=(N, C))
    if kind == "distributions":
        return _probs(), _probs()
    raise AssertionError(kind)


CASES = [
    ("mean_squared_error", "regression", {}),
    ("mean_absolute_error", "regression", {}),
    ("mean_absolute_percentage_error", "regression", {}),
    ("mean_squared_logarithmic_error", "positive", {}),
    ("huber", "regression", {}),
    ("huber", "regression", {"delta": 0.3}),
    ("log_cosh", "regression", {}),
    ("hinge", "signs", {}),
    ("hinge", "binary", {}),
    ("squared_hinge", "signs", {}),
    ("squared_hinge", "binary", {}),
    ("categorical_hinge", "onehot", {}),
    ("kl_divergence", "distributions", {}),
    ("poisson", "positive", {}),
    ("cosine_similarity", "regression", {}),
    ("cosine_similarity", "regression", {"axis": 0}),
    ("sparse_categorical_crossentropy", "sparse", {}),
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True}),
    ("categorical_crossentropy", "onehot", {}),
    ("categorical_crossentropy", "onehot", {"label_smoothing": 0.2}),
    ("categorical_crossentropy", "onehot_logits", {"from_logits": True}),
    ("categorical_crossentropy", "onehot_logits", {"from_logits": True, "label_smoothing": 0.1}),
    ("binary_crossentropy", "binary", {}),
    ("binary_crossentropy", "binary", {"label_smoothing": 0.2}),
    ("binary_crossentropy", "binary_logits", {"from_logits": True}),
    ("binary_crossentropy", "binary_logits", {"from_logits": True, "label_smoothing": 0.3}),
    ("binary_focal_crossentropy", "binary", {}),
    ("binary_focal_crossentropy", "binary", {"apply_class_balancing": True, "alpha": 0.4,
                                             "gamma": 3.0, "label_smoothing": 0.1}),
    ("binary_focal_crossentropy", "binary_logits", {"from_logits": True}),
    ("categorical_focal_crossentropy", "onehot", {}),
    ("categorical_focal_crossentropy", "onehot", {"alpha": [0.1, 0.2, 0.3, 0.4],
                                                  "label_smoothing": 0.1}),
    ("categorical_focal_crossentropy", "onehot_logits", {"from_logits": True, "gamma": 1.0}),
]


@pytest.mark.parametrize("name,kind,kwargs", CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_function_matches_float64_reference(name, kind, kwargs):
    y, p = _data(kind)
    fn = getattr(losses, name)
    got = fn(torch.tensor(y, dtype=torch.float32), torch.tensor(p, dtype=torch.float32), **kwargs)
    want = REFERENCES[name](y, p, **kwargs)
    np.testing.assert_allclose(got.numpy(), want, **TOL)


# ---------------------------------------------------------------- Keras' check values
def test_sparse_crossentropy_keras_check_values():
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    got = losses.sparse_categorical_crossentropy(torch.tensor([0, 2]), probs)
    np.testing.assert_allclose(got.numpy(), [0.35667497, 0.22314353], rtol=1e-6)


@pytest.mark.parametrize("labels", [[2], [[2]], [2.0]])
def test_wrong_label_with_zero_probability_costs_clipped_log(labels):
    probs = torch.tensor([[0.5, 0.5, 0.0]])
    got = losses.sparse_categorical_crossentropy(torch.tensor(labels), probs)
    np.testing.assert_allclose(got.numpy(), [-math.log(1e-7)], rtol=1e-6)
    np.testing.assert_allclose(got.numpy(), [16.118095], rtol=1e-6)


@pytest.mark.parametrize("loss,expected", [
    (losses.CategoricalCrossentropy(), 1.177),
    (losses.CategoricalCrossentropy(reduction="sum"), 2.354),
    (losses.SparseCategoricalCrossentropy(), 1.177),
])
def test_keras_docstring_values(loss, expected):
    y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
    y_true = [1, 2] if isinstance(loss, losses.SparseCategoricalCrossentropy) else \
        [[0, 1, 0], [0, 0, 1]]
    assert float(loss(y_true, y_pred)) == pytest.approx(expected, abs=1e-3)


def test_binary_crossentropy_from_logits_keras_values():
    bce = losses.BinaryCrossentropy(from_logits=True)
    y_true, y_pred = [[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]
    assert float(bce(y_true, y_pred)) == pytest.approx(0.8654, abs=1e-3)
    assert float(bce(y_true, y_pred, sample_weight=[0.8, 0.2])) == pytest.approx(0.243, abs=1e-3)


# ---------------------------------------------------------------- the logits path
def _softmax_output(z, detach=False):
    p = torch.softmax(z, -1)
    if detach:
        p = p.detach()
    p._keras_logits = z
    p._keras_logits_kind = "softmax"
    p._keras_logits_axis = -1
    return p


def _sigmoid_output(z, detach=False):
    p = torch.sigmoid(z)
    if detach:
        p = p.detach()
    p._keras_logits = z
    p._keras_logits_kind = "sigmoid"
    return p


LOGIT_CASES = [
    ("sparse", losses.SparseCategoricalCrossentropy, {}, _softmax_output),
    ("onehot", losses.CategoricalCrossentropy, {}, _softmax_output),
    ("onehot", losses.CategoricalCrossentropy, {"label_smoothing": 0.1}, _softmax_output),
    ("onehot", losses.CategoricalFocalCrossentropy, {}, _softmax_output),
    ("binary", losses.BinaryCrossentropy, {}, _sigmoid_output),
    ("binary", losses.BinaryCrossentropy, {"label_smoothing": 0.1}, _sigmoid_output),
    ("binary", losses.BinaryFocalCrossentropy, {}, _sigmoid_output),
]


@pytest.mark.parametrize("kind,cls,kwargs,attach", LOGIT_CASES)
def test_logits_path_equals_probability_path(kind, cls, kwargs, attach):
    loss = cls(reduction=None, **kwargs)
    y, _ = _data(kind)
    z = torch.tensor(RNG.normal(scale=2, size=(N, C)), dtype=torch.float32)
    with_logits = attach(z)
    plain = with_logits.clone()
    assert not hasattr(plain, "_keras_logits")
    np.testing.assert_allclose(loss(y, with_logits).numpy(), loss(y, plain).numpy(), **TOL)


@pytest.mark.parametrize("kind,cls,kwargs,attach", LOGIT_CASES)
def test_logits_path_is_used_and_trains_the_logits(kind, cls, kwargs, attach):
    loss = cls(**kwargs)
    y, _ = _data(kind)
    z = torch.tensor(RNG.normal(size=(N, C)), dtype=torch.float32, requires_grad=True)
    loss(y, attach(z, detach=True)).backward()
    assert z.grad is not None and torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0


@pytest.mark.parametrize("kind,cls,kwargs,attach", LOGIT_CASES)
def test_logits_path_is_finite_on_extreme_logits(kind, cls, kwargs, attach):
    loss = cls(**kwargs)
    y, _ = _data(kind)
    z = torch.tensor(RNG.choice([-1e4, 1e4], size=(N, C)), dtype=torch.float32,
                     requires_grad=True)
    value = loss(y, attach(z))
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(z.grad).all()
    assert float(value.detach()) <= -math.log(1e-7) + 1e-4


def test_logits_path_reproduces_keras_clipping():
    z = torch.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    value = losses.sparse_categorical_crossentropy(torch.tensor([1]), _softmax_output(z))
    np.testing.assert_allclose(value.detach().numpy(), [16.118095], rtol=1e-6)
    value.sum().backward()
    assert torch.equal(z.grad, torch.zeros_like(z))  # clipped: no gradient, as in Keras


def test_logits_ignored_for_other_kind_or_axis():
    z = torch.tensor(RNG.normal(size=(N, C)), dtype=torch.float32)
    uniform = torch.full((N, C), 1.0 / C)
    mislabeled = uniform.clone()
    mislabeled._keras_logits, mislabeled._keras_logits_kind = z, "sigmoid"
    other_axis = uniform.clone()
    other_axis._keras_logits, other_axis._keras_logits_kind = z, "softmax"
    other_axis._keras_logits_axis = 0
    y = RNG.integers(0, C, size=(N,))
    expected = np.full(N, math.log(C))
    for y_pred in (mislabeled, other_axis):
        np.testing.assert_allclose(losses.sparse_categorical_crossentropy(y, y_pred).numpy(),
                                   expected, rtol=1e-6)


def test_logits_survive_dtype_cast_and_rank_matching():
    z = torch.tensor(RNG.normal(size=(N, 1)), dtype=torch.float16, requires_grad=True)
    y = torch.tensor(RNG.integers(0, 2, size=(N,)), dtype=torch.float32)
    loss = losses.BinaryCrossentropy()
    loss(y, _sigmoid_output(z, detach=True)).backward()
    assert z.grad is not None


def test_from_logits_true_is_stable():
    z = torch.tensor([[1e4, -1e4]], requires_grad=True)
    value = losses.categorical_crossentropy(torch.tensor([[0.0, 1.0]]), z, from_logits=True)
    value.sum().backward()
    np.testing.assert_allclose(value.detach().numpy(), [2e4], rtol=1e-6)
    assert torch.isfinite(z.grad).all()


# ---------------------------------------------------------------- reductions, weights
REDUCTION_REFS = {
    "sum": lambda v, w: (v * w).sum(),
    "sum_over_batch_size": lambda v, w: (v * w).sum() / v.size,
    "mean": lambda v, w: (v * w).sum() / v.size,
    "mean_with_sample_weight": lambda v, w: (v * w).sum() / w.sum(),
    None: lambda v, w: v * w,
    "none": lambda v, w: v * w,
}


@pytest.mark.parametrize("reduction", list(REDUCTION_REFS))
@pytest.mark.parametrize("weighted", [False, True])
def test_reductions_and_sample_weight(reduction, weighted):
    y, p = _data("regression")
    per_sample = REFERENCES["mean_squared_error"](y, p)
    w = RNG.uniform(0, 2, size=N) if weighted else np.ones(N)
    loss = losses.MeanSquaredError(reduction=reduction)
    got = loss(y, p, sample_weight=w if weighted else None)
    np.testing.assert_allclose(got.numpy(), REDUCTION_REFS[reduction](per_sample, w), **TOL)


def test_sample_weight_broadcasts_from_batch_axis_for_sequence_losses():
    y, p = RNG.normal(size=(N, 3, C)), RNG.normal(size=(N, 3, C))
    w = RNG.uniform(0, 2, size=N)
    got = losses.MeanSquaredError(reduction="sum")(y, p, sample_weight=w)
    want = (REFERENCES["mean_squared_error"](y, p) * w[:, None]).sum()
    np.testing.assert_allclose(got.numpy(), want, **TOL)


def test_default_reduction_returns_zero_dim_tensor():
    value = losses.MeanSquaredError()(torch.zeros(4, 2), torch.ones(4, 2))
    assert value.dim() == 0 and float(value) == 1.0


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


def test_ignore_class_masks_entries_out_of_the_mean():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
    labels = np.array([0, -1, 2])
    per_sample = losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=None)(
        labels, probs)
    np.testing.assert_allclose(per_sample.numpy(), [-math.log(0.7), 0.0, -math.log(0.4)], rtol=1e-6)
    mean = losses.SparseCategoricalCrossentropy(ignore_class=-1)(labels, probs)
    np.testing.assert_allclose(float(mean), (-math.log(0.7) - math.log(0.4)) / 2, rtol=1e-6)


# ---------------------------------------------------------------- rank handling
@pytest.mark.parametrize("cls", [losses.MeanSquaredError, losses.MeanAbsoluteError,
                                 losses.BinaryCrossentropy, losses.Huber, losses.Hinge,
                                 losses.LogCosh, losses.Poisson])
@pytest.mark.parametrize("swap", [False, True])
def test_rank_one_labels_against_column_outputs_do_not_broadcast(cls, swap):
    y = RNG.integers(0, 2, size=N).astype(float)
    p = RNG.uniform(0.1, 0.9, size=(N, 1))
    y_true, y_pred = (y[:, None], p[:, 0]) if swap else (y, p)
    got = cls(reduction=None)(y_true, y_pred)
    assert tuple(got.shape) == (N,)
    np.testing.assert_allclose(float(cls()(y_true, y_pred)), float(cls()(y[:, None], p)), **TOL)


@pytest.mark.parametrize("name", ["mean_squared_error", "binary_crossentropy", "hinge"])
def test_functions_match_ranks_too(name):
    y = RNG.integers(0, 2, size=N).astype(float)
    p = RNG.uniform(0.1, 0.9, size=(N, 1))
    assert tuple(getattr(losses, name)(y, p).shape) == (N,)


def test_sparse_labels_column_and_float_labels():
    labels = np.array([1, 0, 2])
    probs = _probs((3, 3))
    want = ref_sparse_ce(labels, probs)
    for y in (labels, labels[:, None], labels.astype(np.float32), torch.tensor(labels)):
        np.testing.assert_allclose(losses.SparseCategoricalCrossentropy(reduction=None)(y, probs)
                                   .numpy(), want, **TOL)


def test_sparse_shape_mismatch_raises():
    with pytest.raises(ValueError, match="same shape up until the last dimension"):
        losses.sparse_categorical_crossentropy(torch.zeros(3, 2, dtype=torch.long),
                                               torch.ones(3, 4))


def test_categorical_shape_mismatch_raises_and_single_column_warns():
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.categorical_crossentropy(torch.ones(3, 2), torch.ones(3, 4))
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(torch.ones(3, 1), torch.ones(3, 1))


def test_axis_must_be_int():
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(torch.ones(2, 2), torch.ones(2, 2), axis=True)


# ---------------------------------------------------------------- Loss base, wrapper, dtype
def test_custom_loss_subclass_receives_float_labels_and_reduces():
    seen = {}

    class Squares(losses.Loss):
        def call(self, y_true, y_pred):
            seen["dtype"] = y_true.dtype
            return ((y_pred - y_true) ** 2).mean(-1)

    loss = Squares()
    assert loss.name.startswith("squares")
    value = loss(np.array([[1], [3]]), np.array([[0.0], [1.0]]))
    assert seen["dtype"] == torch.float32
    assert float(value) == pytest.approx(2.5)


def test_loss_function_wrapper_passes_kwargs_and_matches_ranks():
    def scaled(y_true, y_pred, scale):
        return scale * ((y_pred - y_true) ** 2).mean(-1)

    loss = losses.LossFunctionWrapper(scaled, scale=2.0, reduction="sum")
    assert loss.name.startswith("loss_function_wrapper")
    assert float(loss(np.zeros(4), np.ones((4, 1)))) == pytest.approx(8.0)
    with pytest.raises(TypeError, match="callable"):
        losses.LossFunctionWrapper("mse")


def test_sparse_crossentropy_receives_integer_labels():
    seen = {}

    def spy(y_true, y_pred):
        seen["dtype"] = y_true.dtype
        return losses.sparse_categorical_crossentropy(y_true, y_pred)

    spy._integer_labels = True
    losses.LossFunctionWrapper(spy)(torch.tensor([1, 0]), torch.full((2, 3), 1 / 3))
    assert seen["dtype"] == torch.int64
    assert losses.SparseCategoricalCrossentropy()._integer_labels
    assert losses.LossFunctionWrapper(losses.get("sparse_categorical_crossentropy"))._integer_labels
    assert not losses.CategoricalCrossentropy()._integer_labels


def test_dtype_argument():
    loss = losses.MeanSquaredError(dtype="float64")
    assert loss.dtype == "float64"
    assert loss(torch.zeros(2, 2), torch.ones(2, 2)).dtype == torch.float64
    assert losses.MeanSquaredError().dtype == "float32"


# ---------------------------------------------------------------- config round trips
CLASS_CASES = [
    (losses.SparseCategoricalCrossentropy, {"from_logits": True, "ignore_class": 3}),
    (losses.CategoricalCrossentropy, {"from_logits": True, "label_smoothing": 0.1, "axis": -1}),
    (losses.BinaryCrossentropy, {"from_logits": True, "label_smoothing": 0.2}),
    (losses.BinaryFocalCrossentropy, {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5}),
    (losses.CategoricalFocalCrossentropy, {"alpha": 0.5, "gamma": 1.0}),
    (losses.MeanSquaredError, {}),
    (losses.MeanAbsoluteError, {}),
    (losses.MeanAbsolutePercentageError, {}),
    (losses.MeanSquaredLogarithmicError, {}),
    (losses.Huber, {"delta": 2.5}),
    (losses.LogCosh, {}),
    (losses.Hinge, {}),
    (losses.SquaredHinge, {}),
    (losses.CategoricalHinge, {}),
    (losses.KLDivergence, {}),
    (losses.Poisson, {}),
    (losses.CosineSimilarity, {"axis": 0}),
]


@pytest.mark.parametrize("cls,kwargs", CLASS_CASES, ids=[c[0].__name__ for c in CLASS_CASES])
def test_config_round_trip(cls, kwargs):
    loss = cls(name="custom_name", reduction="sum", **kwargs)
    config = loss.get_config()
    assert config["name"] == "custom_name" and config["reduction"] == "sum"
    for key, value in kwargs.items():
        assert config[key] == value
    rebuilt = cls.from_config(config)
    assert rebuilt.get_config() == config
    restored = losses.deserialize(losses.serialize(loss))
    assert type(restored) is cls and restored.get_config() == config


KERAS_DEFAULT_NAMES = {
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "MeanSquaredError": "mean_squared_error", "MeanAbsoluteError": "mean_absolute_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error", "Huber": "huber_loss",
    "LogCosh": "log_cosh", "Hinge": "hinge", "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge", "KLDivergence": "kl_divergence",
    "Poisson": "poisson", "CosineSimilarity": "cosine_similarity",
}


@pytest.mark.parametrize("cls", [c[0] for c in CLASS_CASES])
def test_default_names_are_keras_names(cls):
    loss = cls()
    assert loss.name == KERAS_DEFAULT_NAMES[cls.__name__]
    assert loss.reduction == "sum_over_batch_size"


def test_serialize_function_and_wrapper_round_trip():
    config = losses.serialize(losses.mse)
    assert config == {"module": "keras.losses", "class_name": "function",
                      "config": "mean_squared_error", "registered_name": "function"}
    assert losses.deserialize(config) is losses.mean_squared_error
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=3.0, name="h")
    rebuilt = losses.LossFunctionWrapper.from_config(wrapper.get_config())
    assert rebuilt.fn is losses.huber and rebuilt._fn_kwargs == {"delta": 3.0}
    with pytest.raises(ValueError, match="lambda|Cannot serialize"):
        losses.serialize(lambda y, p: y)


def test_deserialize_custom_objects_and_keras_binary_crossentropy_config():
    def my_loss(y_true, y_pred):
        return y_pred

    assert losses.deserialize("my_loss", custom_objects={"my_loss": my_loss}) is my_loss
    config = {"module": "keras.losses", "class_name": "BinaryCrossentropy",
              "config": {"name": "binary_crossentropy", "reduction": "sum_over_batch_size",
                         "from_logits": False, "label_smoothing": 0.0, "axis": -1},
              "registered_name": None}
    assert isinstance(losses.deserialize(config), losses.BinaryCrossentropy)


# ---------------------------------------------------------------- get()
@pytest.mark.parametrize("name,fn", [
    ("mse", losses.mean_squared_error), ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error), ("mape", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error), ("kld", losses.kl_divergence),
    ("KLD", losses.kl_divergence), ("kl_divergence", losses.kl_divergence),
    ("logcosh", losses.log_cosh), ("huber_loss", losses.huber), ("bce", losses.binary_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("categorical_crossentropy", losses.categorical_crossentropy),
    ("cosine_similarity", losses.cosine_similarity),
])
def test_get_names_return_functions(name, fn):
    assert losses.get(name) is fn


def test_get_classes_dicts_instances_callables():
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    loss = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert loss.from_logits is True
    instance = losses.Poisson()
    assert losses.get(instance) is instance
    assert losses.get(len) is len
    assert losses.get(None) is None


def test_get_unknown_name_suggests():
    with pytest.raises(ValueError, match="Unknown loss: 'sparse_categorical_crossentropyy'.*"
                                         "Did you mean 'sparse_categorical_crossentropy'"):
        losses.get("sparse_categorical_crossentropyy")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(3)
    with pytest.raises(ValueError, match="subclass"):
        losses.get(dict)


# ---------------------------------------------------------------- validate_targets
def _labels(n=50, classes=10):
    return RNG.integers(0, classes, size=n)


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy",
                                  losses.sparse_categorical_crossentropy,
                                  losses.SparseCategoricalCrossentropy(),
                                  losses.SparseCategoricalCrossentropy])
def test_validate_one_hot_labels_with_sparse_loss(loss):
    one_hot = np.eye(10)[_labels()]
    with pytest.raises(ValueError, match="one-hot.*use loss='categorical_crossentropy' for "
                                         "one-hot labels, or pass integer labels"):
        losses.validate_targets(loss, one_hot, (None, 10))


@pytest.mark.parametrize("labels", [_labels(), _labels()[:, None]])
@pytest.mark.parametrize("loss", ["categorical_crossentropy", losses.CategoricalCrossentropy()])
def test_validate_integer_labels_with_categorical_loss(labels, loss):
    with pytest.raises(ValueError, match="use loss='sparse_categorical_crossentropy' for integer "
                                         "labels, or one-hot encode with "
                                         "keras.utils.to_categorical"):
        losses.validate_targets(loss, labels, (None, 10))


def test_validate_label_beyond_output_units():
    labels = np.arange(11)
    with pytest.raises(ValueError, match=r"label value of 10.*output has 10 units"):
        losses.validate_targets("sparse_categorical_crossentropy", labels, (None, 10))
    with pytest.raises(ValueError, match="negative label value -1"):
        losses.validate_targets("sparse_categorical_crossentropy", np.array([0, -1]), (None, 10))
    with pytest.raises(ValueError, match="1 unit.*binary_crossentropy"):
        losses.validate_targets("sparse_categorical_crossentropy", np.array([0, 1]), (None, 1))


def test_validate_ignore_class_is_exempt_from_range_check():
    loss = losses.SparseCategoricalCrossentropy(ignore_class=255)
    assert losses.validate_targets(loss, np.array([0, 255, 9]), (None, 10)) is None


def test_validate_non_integer_sparse_labels():
    with pytest.raises(ValueError, match="integer class labels"):
        losses.validate_targets("sparse_categorical_crossentropy", np.array([0.5, 1.0]), (None, 3))


def test_validate_shape_mismatch_for_other_losses():
    with pytest.raises(ValueError, match=r"'mean_squared_error'.*\(None, 10\).*\(50,\)"):
        losses.validate_targets("mse", np.zeros(50), (None, 10))
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.validate_targets("binary_crossentropy", _labels().astype(float), (None, 10))
    with pytest.raises(ValueError, match=r"between 0 and 1.*Dense\(10, activation='softmax'\)"):
        losses.validate_targets("binary_crossentropy", np.arange(10), (None, 1))
    with pytest.raises(ValueError, match="10 columns"):
        losses.validate_targets("categorical_crossentropy", np.eye(5)[_labels(classes=5)],
                                (None, 10))


@pytest.mark.parametrize("loss,labels,shape", [
    ("sparse_categorical_crossentropy", _labels(), (None, 10)),
    ("sparse_categorical_crossentropy", torch.tensor(_labels())[:, None], (None, 10)),
    ("sparse_categorical_crossentropy", _labels().astype(np.float32), (50, 10)),
    ("categorical_crossentropy", np.eye(10)[_labels()], (None, 10)),
    ("binary_crossentropy", RNG.integers(0, 2, size=50), (None, 1)),
    ("binary_crossentropy", RNG.integers(0, 2, size=(50, 3)), (None, 3)),
    ("mse", np.zeros(50), (None, 1)),
    ("mse", np.zeros((50, 1)), (None,)),
    (losses.Huber(), np.zeros((50, 4)), (None, 4)),
    (lambda y, p: p, np.zeros(3), (None, 7)),
    (losses.LossFunctionWrapper(lambda y, p: p), np.zeros(3), (None, 7)),
    ("sparse_categorical_crossentropy", ["a", "b"], (None, 2)),
])
def test_validate_accepts_fitting_labels_and_custom_losses(loss, labels, shape):
    assert losses.validate_targets(loss, labels, shape) is None


# ---------------------------------------------------------------- sequences, devices
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_crossentropy_on_sequences(from_logits):
    labels = RNG.integers(0, C, size=(N, 3))
    scores = RNG.normal(size=(N, 3, C)) if from_logits else _probs((N, 3, C))
    want = ref_sparse_ce(labels.reshape(-1), scores.reshape(-1, C), from_logits).reshape(N, 3)
    got = losses.sparse_categorical_crossentropy(labels, scores, from_logits=from_logits)
    np.testing.assert_allclose(got.numpy(), want, **TOL)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_crossentropy_per_pixel_gradient_matches_float64(from_logits):
    # A segmentation head: (N, H, W, C) probabilities. torch's 2-D NLL backward used to
    # reject the strided class-second view ("grad_input must be contiguous").
    labels = torch.tensor(RNG.integers(0, C, size=(2, 3, 4)))
    raw = RNG.normal(size=(2, 3, 4, C))
    scores64 = torch.tensor(raw if from_logits else _probs((2, 3, 4, C)), requires_grad=True)
    scores = scores64.detach().float().requires_grad_()
    losses.sparse_categorical_crossentropy(labels, scores, from_logits=from_logits).mean().backward()
    log_p = (torch.log_softmax(scores64, -1) if from_logits
             else torch.log(scores64 / scores64.sum(-1, keepdim=True)))
    (-log_p.gather(-1, labels.unsqueeze(-1))).mean().backward()
    np.testing.assert_allclose(scores.grad.numpy(), scores64.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_sparse_crossentropy_logits_path_on_sequences_with_ignore_class():
    labels = torch.tensor(RNG.integers(0, C, size=(N, 3)))
    labels[0, 1] = -1
    z = torch.tensor(RNG.normal(size=(N, 3, C)), dtype=torch.float32)
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=None)
    with_logits = loss(labels, _softmax_output(z))
    without = loss(labels, torch.softmax(z, -1))
    np.testing.assert_allclose(with_logits.numpy(), without.numpy(), **TOL)
    assert float(with_logits[0, 1]) == 0.0


SYNC_CASES = [(cls, kwargs, kind) for cls, kwargs in CLASS_CASES
              for kind in ["sparse" if cls is losses.SparseCategoricalCrossentropy else "onehot"]]


@pytest.mark.parametrize("cls,kwargs,kind", SYNC_CASES, ids=[c[0].__name__ for c in SYNC_CASES])
def test_loss_step_never_reads_values_back_to_the_host(cls, kwargs, kind, monkeypatch):
    # Per-sample weights need per-sample losses: drop options that reduce over the batch axis.
    kwargs = {k: v for k, v in kwargs.items() if k not in ("ignore_class", "axis")}
    y, _ = _data(kind)
    y_true = torch.tensor(y)
    z = torch.randn(N, C, requires_grad=True)
    weights = torch.rand(N)

    def host_read(*args, **kwargs):
        raise AssertionError("a loss read a tensor value on the host (a device sync on GPUs)")

    for name in ("item", "tolist", "numpy", "__bool__", "__float__", "__int__"):
        monkeypatch.setattr(torch.Tensor, name, host_read)
    for y_pred in (_softmax_output(z), _sigmoid_output(z), torch.softmax(z, -1)):
        cls(**kwargs)(y_true, y_pred, sample_weight=weights).backward()


def test_sample_weight_of_the_wrong_length_names_the_argument():
    y = np.ones((16, 4), "float32")
    with pytest.raises(ValueError, match=r"`sample_weight` has shape \(7,\), which does not "
                                         r"broadcast .* of shape \(16,\)\. Pass one weight per "
                                         r"sample \(shape \(16,\)\)"):
        losses.MeanSquaredError()(y, y, sample_weight=np.ones(7))


def test_sparse_categorical_crossentropy_takes_the_class_axis_as_keras_3():
    rng = np.random.default_rng(0)
    labels, logits = np.array([[0, 2]]), rng.normal(size=(1, 3, 2)).astype("float32")
    along_axis_1 = losses.SparseCategoricalCrossentropy(from_logits=True, axis=1)
    last_axis = losses.SparseCategoricalCrossentropy(from_logits=True)
    torch.testing.assert_close(along_axis_1(labels, logits),
                               last_axis(labels, np.moveaxis(logits, 1, 2)))
    assert along_axis_1.get_config()["axis"] == 1
