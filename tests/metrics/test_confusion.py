"""Confusion counts, Precision, Recall and AUC against float64 NumPy and scikit-learn."""
import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from lamina import metrics

RNG = np.random.default_rng(3)
N, C = 16, 4
EPS = 1e-7


def np_counts(y_true, y_pred, thresholds, weights=None):
    """(tp, fp, tn, fn) per threshold, positive when strictly above it (float64)."""
    labels = np.broadcast_to(np.asarray(y_true) != 0, np.shape(y_pred)).reshape(-1)
    scores = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    w = np.ones_like(scores) if weights is None else np.broadcast_to(weights, np.shape(y_pred)).reshape(-1)
    above = scores[None, :] > np.asarray(thresholds, dtype=np.float64)[:, None]
    tp = (above & labels) @ w
    fp = (above & ~labels) @ w
    tn = (~above & ~labels) @ w
    fn = (~above & labels) @ w
    return tp, fp, tn, fn


def safe_div(a, b):
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def np_auc(tp, fp, tn, fn, curve="ROC", summation="interpolation"):
    """Keras' Riemann sum over the thresholds, written out in float64."""
    if curve == "PR" and summation == "interpolation":
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = safe_div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), safe_div(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return float(np.sum(safe_div(slope * (dtp + intercept * np.log(ratio)),
                                     np.maximum(tp[1:] + fn[1:], 0))))
    recall = safe_div(tp, tp + fn)
    x, y = (safe_div(fp, fp + tn), recall) if curve == "ROC" else (recall, safe_div(tp, tp + fp))
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[summation]
    return float(np.sum((x[:-1] - x[1:]) * heights))


def auc_thresholds(num_thresholds):
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [-EPS] + inner + [1 + EPS]


def batches(count=3, labels_shape=(N, 1), scores_shape=(N, 1)):
    return [(RNG.integers(0, 2, labels_shape).astype(np.float32),
             RNG.random(scores_shape).astype(np.float32), RNG.random(N).astype(np.float32))
            for _ in range(count)]


def stacked(data):
    return tuple(np.concatenate([b[i] for b in data]) for i in range(3))


@pytest.mark.parametrize("cls, index", [(metrics.TruePositives, 0), (metrics.FalsePositives, 1),
                                        (metrics.TrueNegatives, 2), (metrics.FalseNegatives, 3)])
@pytest.mark.parametrize("thresholds", [None, [0.3, 0.6], [0.0, 0.25, 0.5, 0.75, 1.0]])
def test_confusion_counts_match_numpy(cls, index, thresholds):
    m = cls(thresholds=thresholds)
    data = batches()
    for y_true, y_pred, w in data:
        m.update_state(y_true, y_pred, sample_weight=w)
    y_true, y_pred, w = stacked(data)
    expected = np_counts(y_true, y_pred, thresholds or [0.5], w[:, None])[index]
    result = m.result().numpy()
    assert result.shape == (() if thresholds is None else (len(thresholds),))
    np.testing.assert_allclose(result, expected if thresholds else expected[0], rtol=1e-5, atol=1e-5)


def test_zero_score_is_never_above_threshold_zero():
    m = metrics.TruePositives(thresholds=[0.0, 0.5, 1.0])
    m.update_state([1, 1, 1], [0.0, 0.5, 1.0])
    assert m.result().tolist() == [2.0, 1.0, 0.0]


@pytest.mark.parametrize("cls, other", [(metrics.Precision, 1), (metrics.Recall, 3)])
@pytest.mark.parametrize("shapes", [((N,), (N, 1)), ((N, 1), (N,)), ((N, C), (N, C))])
def test_precision_recall_running_with_thresholds(cls, other, shapes):
    m = cls(thresholds=[0.2, 0.5, 0.7])
    data = batches(labels_shape=shapes[0], scores_shape=shapes[1])
    for y_true, y_pred, w in data:
        m.update_state(y_true, y_pred, sample_weight=w)
    y_true, y_pred, w = stacked(data)
    y_true = y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true
    weights = w.reshape((-1,) + (1,) * (y_pred.ndim - 1))
    counts = np_counts(y_true, y_pred, [0.2, 0.5, 0.7], weights)
    np.testing.assert_allclose(m.result().numpy(), safe_div(counts[0], counts[0] + counts[other]),
                               rtol=1e-5)


def test_precision_keras_examples():
    m = metrics.Precision()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert float(m.result()) == pytest.approx(2 / 3)
    m.reset_state()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert float(m.result()) == 1.0
    assert float(metrics.Precision(top_k=2)([[0, 0, 1, 1]], [[1, 1, 1, 1]])) == 0.0
    assert float(metrics.Precision(top_k=4)([[0, 0, 1, 1]], [[1, 1, 1, 1]])) == 0.5


@pytest.mark.parametrize("cls, other", [(metrics.Precision, 1), (metrics.Recall, 3)])
def test_top_k_counts_the_k_highest_scores_as_positive(cls, other):
    y_true = RNG.integers(0, 2, (N, C))
    y_pred = RNG.random((N, C)).astype(np.float32)
    w = RNG.random(N)
    m = cls(top_k=2)
    m.update_state(y_true, y_pred, sample_weight=w)
    top2 = np.zeros_like(y_pred)
    np.put_along_axis(top2, np.argsort(-y_pred, axis=1)[:, :2], 1.0, axis=1)
    counts = np_counts(y_true, top2, [0.5], w[:, None])
    np.testing.assert_allclose(float(m.result()), counts[0][0] / (counts[0][0] + counts[other][0]),
                               rtol=1e-5)


@pytest.mark.parametrize("top_k", [None, 3])
def test_class_id_restricts_to_one_column(top_k):
    y_true = RNG.integers(0, 2, (N, C))
    y_pred = RNG.random((N, C)).astype(np.float32)
    m = metrics.Recall(class_id=1, top_k=top_k, thresholds=None)
    m.update_state(y_true, y_pred)
    scores = y_pred[:, 1]
    if top_k:
        in_top = (-y_pred).argsort(axis=1)[:, :top_k]
        scores = np.where((in_top == 1).any(axis=1), 1.0, 0.0)
    tp, _, _, fn = np_counts(y_true[:, 1], scores, [0.5])
    np.testing.assert_allclose(float(m.result()), tp[0] / (tp[0] + fn[0]), rtol=1e-6)


def test_class_id_needs_two_dimensional_predictions():
    with pytest.raises(ValueError, match="When class_id is provided, y_pred must be a 2D array"):
        metrics.Precision(class_id=0).update_state([1, 0], [0.4, 0.6])


@pytest.mark.parametrize("bad", [1.5, [0.2, -0.1], [None]])
def test_thresholds_outside_unit_interval_are_rejected(bad):
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=bad)


def test_auc_keras_example_exactly():
    m = metrics.AUC(num_thresholds=3)
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == 0.75
    m.reset_state()
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
    assert float(m.result()) == 1.0


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("summation", ["interpolation", "minoring", "majoring"])
@pytest.mark.parametrize("thresholds", [None, [0.15, 0.4, 0.45, 0.9]])
def test_auc_matches_keras_formula(curve, summation, thresholds):
    m = metrics.AUC(num_thresholds=7, curve=curve, summation_method=summation, thresholds=thresholds)
    data = batches()
    for y_true, y_pred, w in data:
        m.update_state(y_true, y_pred, sample_weight=w)
    y_true, y_pred, w = stacked(data)
    all_thresholds = auc_thresholds(7) if thresholds is None else [-EPS] + thresholds + [1 + EPS]
    assert m.thresholds == pytest.approx(all_thresholds)
    expected = np_auc(*np_counts(y_true, y_pred, all_thresholds, w[:, None]), curve, summation)
    np.testing.assert_allclose(float(m.result()), expected, rtol=1e-5, atol=1e-7)


def test_auc_matches_sklearn_on_well_separated_scores():
    labels = RNG.integers(0, 2, 4000)
    scores = np.clip(0.3 + 0.4 * labels + RNG.normal(0, 0.15, 4000), 0, 1).astype(np.float32)
    weights = RNG.random(4000)
    m = metrics.AUC()
    for part in np.array_split(np.arange(4000), 4):
        m.update_state(labels[part], scores[part], sample_weight=weights[part])
    expected = roc_auc_score(labels, scores, sample_weight=weights)
    assert abs(float(m.result()) - expected) < 1e-3


def test_auc_from_logits_applies_sigmoid():
    labels = RNG.integers(0, 2, N)
    logits = RNG.normal(0, 3, N).astype(np.float32)
    probs = 1 / (1 + np.exp(-logits.astype(np.float64)))
    from_logits = metrics.AUC(from_logits=True)(labels, logits)
    expected = np_auc(*np_counts(labels, probs, auc_thresholds(200)))
    np.testing.assert_allclose(float(from_logits), expected, rtol=1e-5)


@pytest.mark.parametrize("label_weights", [None, [1.0, 2.0, 0.0, 1.0]])
def test_auc_multi_label_averages_label_curves(label_weights):
    y_true = RNG.integers(0, 2, (N, C))
    y_pred = RNG.random((N, C)).astype(np.float32)
    m = metrics.AUC(num_thresholds=9, multi_label=True, label_weights=label_weights)
    assert m.variables == []
    m.update_state(y_true, y_pred)
    assert m.true_positives.shape == (9, C)
    per_label = np.array([np_auc(*np_counts(y_true[:, j], y_pred[:, j], auc_thresholds(9)))
                          for j in range(C)])
    lw = np.ones(C) if label_weights is None else np.asarray(label_weights)
    np.testing.assert_allclose(float(m.result()), np.sum(per_label * lw) / lw.sum(), rtol=1e-5)


def test_auc_label_weights_weight_flattened_predictions():
    y_true = RNG.integers(0, 2, (N, C))
    y_pred = RNG.random((N, C)).astype(np.float32)
    lw = np.array([1.0, 2.0, 0.0, 1.0])
    m = metrics.AUC(num_thresholds=9, label_weights=lw)
    m.update_state(y_true, y_pred)
    expected = np_auc(*np_counts(y_true, y_pred, auc_thresholds(9), lw[None, :]))
    np.testing.assert_allclose(float(m.result()), expected, rtol=1e-5)


def test_auc_result_before_update_is_zero():
    assert float(metrics.AUC().result()) == 0.0
    assert float(metrics.AUC(multi_label=True).result()) == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"curve": "ROCK"}, 'Invalid AUC curve value: "ROCK"'),
    ({"summation_method": "midpoint"}, 'Invalid AUC summation method value: "midpoint"'),
    ({"num_thresholds": 1}, "Argument `num_thresholds` must be an integer > 1"),
    ({"num_labels": 3}, "`num_labels` is needed only when `multi_label` is True"),
])
def test_auc_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        metrics.AUC(**kwargs)


def test_auc_multi_label_needs_rank_two():
    with pytest.raises(ValueError, match="`y_pred` must have rank 2 when `multi_label=True`"):
        metrics.AUC(multi_label=True).update_state(torch.ones(4), torch.rand(4))


def test_auc_accepts_lower_case_curve_and_method():
    m = metrics.AUC(curve="pr", summation_method="Majoring")
    assert (m.curve, m.summation_method) == ("PR", "majoring")
