"""Cross-entropy metrics against float64 NumPy references (per-sample values from lamina.losses)."""
import numpy as np
import pytest

from lamina import metrics

RNG = np.random.default_rng(9)
N, C = 10, 4
EPS = 1e-7


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def categorical_ce(one_hot, probs, smoothing=0.0):
    one_hot = one_hot * (1 - smoothing) + smoothing / one_hot.shape[-1]
    probs = probs / probs.sum(axis=-1, keepdims=True)
    return -np.sum(one_hot * np.log(np.clip(probs, EPS, 1 - EPS)), axis=-1)


def binary_ce(labels, probs):
    p = np.clip(probs, EPS, 1 - EPS)
    return -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p), axis=-1)


def weighted(values, weights):
    return float(np.sum(values * weights) / np.sum(weights))


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_and_categorical_crossentropy_match_numpy(from_logits):
    sparse = metrics.SparseCategoricalCrossentropy(from_logits=from_logits)
    dense = metrics.CategoricalCrossentropy(from_logits=from_logits, label_smoothing=0.1)
    sparse_values, dense_values, weights = [], [], []
    for _ in range(3):
        labels = RNG.integers(0, C, N)
        raw = RNG.normal(size=(N, C)) if from_logits else softmax(RNG.normal(size=(N, C)))
        probs = softmax(raw) if from_logits else raw
        w = RNG.random(N)
        sparse.update_state(labels, raw.astype(np.float32), sample_weight=w)
        dense.update_state(np.eye(C)[labels], raw.astype(np.float32), sample_weight=w)
        sparse_values.append(categorical_ce(np.eye(C)[labels], probs))
        dense_values.append(categorical_ce(np.eye(C)[labels], probs, smoothing=0.1))
        weights.append(w)
    w = np.concatenate(weights)
    np.testing.assert_allclose(float(sparse.result()), weighted(np.concatenate(sparse_values), w), rtol=1e-4)
    np.testing.assert_allclose(float(dense.result()), weighted(np.concatenate(dense_values), w), rtol=1e-4)


def test_binary_crossentropy_matches_numpy():
    m = metrics.BinaryCrossentropy()
    values, weights = [], []
    for _ in range(3):
        labels = RNG.integers(0, 2, (N, 1)).astype(np.float64)
        probs = RNG.random((N, 1))
        w = RNG.random(N)
        m.update_state(labels, probs.astype(np.float32), sample_weight=w)
        values.append(binary_ce(labels, probs))
        weights.append(w)
    np.testing.assert_allclose(float(m.result()),
                               weighted(np.concatenate(values), np.concatenate(weights)), rtol=1e-4)


def test_keras_documented_values():
    y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    m = metrics.SparseCategoricalCrossentropy()
    m.update_state([1, 2], y_pred)
    assert float(m.result()) == pytest.approx(1.1769392, rel=1e-5)
    m.reset_state()
    m.update_state([1, 2], y_pred, sample_weight=np.array([0.3, 0.7]))
    assert float(m.result()) == pytest.approx(1.6271976, rel=1e-5)
    assert float(metrics.CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]], y_pred)) == \
        pytest.approx(1.1769392, rel=1e-5)
    assert float(metrics.BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])) == \
        pytest.approx(0.81492424, rel=1e-5)


@pytest.mark.parametrize("cls, name", [
    (metrics.BinaryCrossentropy, "binary_crossentropy"),
    (metrics.CategoricalCrossentropy, "categorical_crossentropy"),
    (metrics.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
])
def test_default_names(cls, name):
    assert cls().name == name
