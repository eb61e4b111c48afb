"""Regression metrics against float64 NumPy references, over batches with sample weights."""
import numpy as np
import pytest

from lamina import metrics

RNG = np.random.default_rng(5)
N = 10
EPS = 1e-7

ERRORS = {
    "MeanSquaredError": lambda t, p: (t - p) ** 2,
    "MeanAbsoluteError": lambda t, p: np.abs(t - p),
    "MeanAbsolutePercentageError": lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)),
    "MeanSquaredLogarithmicError": lambda t, p: (np.log(np.maximum(p, EPS) + 1)
                                                 - np.log(np.maximum(t, EPS) + 1)) ** 2,
}


def aligned(y_true, y_pred):
    """Keras' alignment: (N,) against (N, 1) becomes (N, 1) against (N, 1)."""
    if y_true.ndim == 1 and y_pred.ndim == 2:
        y_true = y_true[:, None]
    if y_pred.ndim == 1 and y_true.ndim == 2:
        y_pred = y_pred[:, None]
    return y_true, y_pred


def per_sample(errors):
    return errors.reshape(len(errors), -1).mean(axis=1)


@pytest.mark.parametrize("shapes", [((N,), (N, 1)), ((N, 1), (N,)), ((N, 3), (N, 3)), ((N,), (N,))])
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_means_match_numpy(name, shapes):
    m = getattr(metrics, name)()
    values, weights = [], []
    for _ in range(3):
        y_true = RNG.random(shapes[0]) + 0.05
        y_pred = RNG.random(shapes[1])
        w = RNG.random(N)
        m.update_state(y_true, y_pred, sample_weight=w)
        values.append(per_sample(ERRORS[name](*aligned(y_true, y_pred))))
        weights.append(w)
    v, w = np.concatenate(values), np.concatenate(weights)
    np.testing.assert_allclose(float(m.result()), np.sum(v * w) / np.sum(w), rtol=1e-5)


@pytest.mark.parametrize("shapes", [((N,), (N, 1)), ((N, 4, 3), (N, 4, 3))])
def test_root_mean_squared_error_matches_numpy(shapes):
    m = metrics.RootMeanSquaredError()
    squares, weights = [], []
    for _ in range(3):
        y_true, y_pred, w = RNG.random(shapes[0]), RNG.random(shapes[1]), RNG.random(N)
        m.update_state(y_true, y_pred, sample_weight=w)
        squares.append(per_sample((np.subtract(*aligned(y_true, y_pred))) ** 2))
        weights.append(w)
    s, w = np.concatenate(squares), np.concatenate(weights)
    np.testing.assert_allclose(float(m.result()), np.sqrt(np.sum(s * w) / np.sum(w)), rtol=1e-5)


def test_keras_documented_values():
    y_true, y_pred = [[0, 1], [0, 0]], [[1, 1], [0, 0]]
    assert float(metrics.MeanSquaredError()(y_true, y_pred)) == pytest.approx(0.25)
    assert float(metrics.MeanAbsoluteError()(y_true, y_pred, sample_weight=[1, 0])) == pytest.approx(0.5)
    assert float(metrics.MeanAbsolutePercentageError()(y_true, y_pred)) == pytest.approx(250000000.0)
    assert float(metrics.MeanSquaredLogarithmicError()(y_true, y_pred)) == pytest.approx(0.12011322, rel=1e-6)
    assert float(metrics.RootMeanSquaredError()(y_true, y_pred, sample_weight=[1, 0])) == pytest.approx(0.70710677)


def test_regression_reset_state():
    m = metrics.MeanAbsoluteError()
    m.update_state([1.0], [3.0])
    m.reset_state()
    m.update_state([1.0], [1.5])
    assert float(m.result()) == pytest.approx(0.5)
