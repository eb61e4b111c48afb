"""Accuracy metrics against float64 NumPy references, over batches with sample weights."""
import numpy as np
import pytest
import torch

from lamina import metrics

RNG = np.random.default_rng(11)
N, C = 12, 5


def probabilities(n=N, c=C):
    p = RNG.random((n, c))
    return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)


def running_mean(per_batch_matches, per_batch_weights):
    matches = np.concatenate(per_batch_matches).astype(np.float64)
    weights = np.concatenate(per_batch_weights).astype(np.float64)
    return float(np.sum(matches * weights) / np.sum(weights))


def top_k_hits(labels, scores, k):
    """A hit when the label's score is at least the k-th largest score (ties count)."""
    kth = -np.sort(-scores, axis=1)[:, min(k, scores.shape[1]) - 1]
    return scores[np.arange(len(labels)), labels] >= kth


def sparse_case():
    labels = RNG.integers(0, C, N)
    return labels, probabilities(), labels


CASES = {
    "binary": (lambda: metrics.BinaryAccuracy(threshold=0.4),
               lambda: (RNG.integers(0, 2, (N, 1)).astype(np.float32), RNG.random((N, 1)).astype(np.float32)),
               lambda t, p: (p[:, 0] > 0.4) == (t[:, 0] == 1)),
    "categorical": (metrics.CategoricalAccuracy,
                    lambda: (np.eye(C)[RNG.integers(0, C, N)], probabilities()),
                    lambda t, p: t.argmax(1) == p.argmax(1)),
    "sparse": (metrics.SparseCategoricalAccuracy,
               lambda: (RNG.integers(0, C, N), probabilities()),
               lambda t, p: t == p.argmax(1)),
    "top_k": (lambda: metrics.TopKCategoricalAccuracy(k=2),
              lambda: (np.eye(C)[RNG.integers(0, C, N)], probabilities()),
              lambda t, p: top_k_hits(t.argmax(1), p, 2)),
    "sparse_top_k": (lambda: metrics.SparseTopKCategoricalAccuracy(k=3),
                     lambda: (RNG.integers(0, C, N), probabilities()),
                     lambda t, p: top_k_hits(t, p, 3)),
    "exact": (metrics.Accuracy,
              lambda: (RNG.integers(0, 3, (N, 1)), RNG.integers(0, 3, (N, 1))),
              lambda t, p: t[:, 0] == p[:, 0]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_running_weighted_accuracy_matches_numpy(case):
    make_metric, make_batch, reference = CASES[case]
    m = make_metric()
    matches, weights = [], []
    for _ in range(3):
        y_true, y_pred = make_batch()
        sample_weight = RNG.random(N)
        m.update_state(y_true, y_pred, sample_weight=sample_weight)
        matches.append(reference(y_true, y_pred))
        weights.append(sample_weight)
        np.testing.assert_allclose(float(m.result()), running_mean(matches, weights), rtol=1e-5)
    m.reset_state()
    assert float(m.result()) == 0.0


@pytest.mark.parametrize("true_shape", [(N,), (N, 1)])
@pytest.mark.parametrize("pred_shape", [(N,), (N, 1)])
def test_binary_accuracy_rank_combinations_are_never_broadcast(true_shape, pred_shape):
    labels = RNG.integers(0, 2, N).astype(np.float32)
    scores = RNG.random(N).astype(np.float32)
    m = metrics.BinaryAccuracy()
    m.update_state(labels.reshape(true_shape), scores.reshape(pred_shape))
    assert float(m.count) == N
    np.testing.assert_allclose(float(m.result()), np.mean((scores > 0.5) == (labels == 1)), rtol=1e-6)


def test_sparse_labels_of_shape_n1_equal_shape_n():
    labels, scores = RNG.integers(0, C, N), probabilities()
    flat = metrics.SparseCategoricalAccuracy()(labels, scores)
    column = metrics.SparseCategoricalAccuracy()(labels.reshape(N, 1), scores)
    assert float(flat) == float(column)
    assert metrics.sparse_categorical_accuracy(labels.reshape(N, 1), scores).shape == (N,)


def test_logits_and_probabilities_give_the_same_accuracy():
    logits = torch.randn(N, C)
    labels = torch.randint(0, C, (N,))
    from_probs = metrics.SparseCategoricalAccuracy()(labels, logits.softmax(-1))
    from_logits = metrics.SparseCategoricalAccuracy()(labels, logits)
    assert float(from_probs) == float(from_logits)


def test_sequence_labels_average_over_time_per_sample():
    labels = RNG.integers(0, C, (N, 4))
    scores = probabilities(N * 4).reshape(N, 4, C)
    weights = RNG.random(N)
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(labels, scores, sample_weight=weights)
    per_sample = (labels == scores.argmax(-1)).mean(axis=1)
    np.testing.assert_allclose(float(m.result()), np.sum(per_sample * weights) / weights.sum(), rtol=1e-5)


def test_function_forms_return_per_sample_values():
    y = [[0, 0, 1], [0, 1, 0]]
    p = [[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]
    assert metrics.categorical_accuracy(y, p).tolist() == [0.0, 1.0]
    assert metrics.sparse_categorical_accuracy([2, 1], p).tolist() == [0.0, 1.0]
    assert metrics.top_k_categorical_accuracy(y, p, k=2).tolist() == [1.0, 1.0]
    assert metrics.sparse_top_k_categorical_accuracy([2, 1], p, k=1).tolist() == [0.0, 1.0]
    assert metrics.binary_accuracy([1, 0, 1], [[0.9], [0.2], [0.3]]).shape == (3, 1)
    assert metrics.binary_accuracy([1.0], [0.7], threshold=0.8).tolist() == [0.0]


def test_top_k_counts_ties_as_hits_and_clamps_k():
    scores = [[0.5, 0.5, 0.0]]
    assert metrics.sparse_top_k_categorical_accuracy([1], scores, k=1).tolist() == [1.0]
    assert metrics.sparse_top_k_categorical_accuracy([2], scores, k=5).tolist() == [1.0]


def test_sparse_top_k_from_sorted_ids():
    m = metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    m.update_state([2, 1, 0], [[2, 0, 1], [0, 2, 1], [1, 2, 0]])
    assert float(m.result()) == pytest.approx(1 / 3)


@pytest.mark.parametrize("cls, name", [
    (metrics.Accuracy, "accuracy"), (metrics.BinaryAccuracy, "binary_accuracy"),
    (metrics.CategoricalAccuracy, "categorical_accuracy"),
    (metrics.SparseCategoricalAccuracy, "sparse_categorical_accuracy"),
    (metrics.TopKCategoricalAccuracy, "top_k_categorical_accuracy"),
    (metrics.SparseTopKCategoricalAccuracy, "sparse_top_k_categorical_accuracy"),
])
def test_default_names(cls, name):
    assert cls().name == name


def test_one_hot_labels_in_a_sparse_accuracy_get_the_fix_not_torchs_broadcast_text():
    metric = metrics.SparseCategoricalAccuracy()
    y_true = np.eye(3)[[0, 1, 2, 1]]
    with pytest.raises(ValueError, match=r"cannot compare `y_true` of shape \(4, 3\) with `y_pred` "
                                         r"of shape \(4, 3\): the labels look one-hot encoded .*"
                                         r"Use 'categorical_accuracy'"):
        metric.update_state(y_true, np.full((4, 3), 1 / 3))
