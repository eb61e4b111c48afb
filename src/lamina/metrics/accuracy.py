"""Accuracy metrics: exact match, binary, categorical, sparse categorical and top-k.

Predictions may be probabilities or logits for the categorical kinds (the argmax is the
same). Each function returns one 0/1 value per sample, as a floatx tensor.

Example:
    >>> m = SparseCategoricalAccuracy()
    >>> m.update_state([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]])
    >>> float(m.result())
    0.5
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.metrics.base import MeanMetricWrapper, squeeze_or_expand_to_same_rank

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
]


def _as_tensors(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    """Both arguments as tensors on `y_pred`'s device (or lamina's device)."""
    if isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor) \
            and y_true.device == y_pred.device:
        return y_true, y_pred
    device = y_pred.device if isinstance(y_pred, torch.Tensor) else None
    y_pred = backend.to_tensor(y_pred, device=device)
    y_true = backend.to_tensor(y_true, device=y_pred.device)
    return y_true, y_pred


def _as_floatx(matches: torch.Tensor) -> torch.Tensor:
    return matches.to(backend.torch_dtype(backend.floatx()))


def accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where `y_pred` equals `y_true` exactly, else 0.0.

    Example:
        >>> accuracy([[1], [2]], [[1], [3]]).tolist()
        [[1.0], [0.0]]
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true.to(y_pred.dtype), y_pred)
    return _as_floatx(y_true == y_pred)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """1.0 where `y_pred > threshold` matches the 0/1 label, else 0.0.

    Labels and predictions may be `(N,)` or `(N, 1)` in any combination.

    Example:
        >>> binary_accuracy([1, 0, 1], [[0.9], [0.2], [0.3]]).tolist()
        [[1.0], [1.0], [0.0]]
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = (y_pred > threshold).to(y_true.dtype)
    return _as_floatx(y_true == predicted)


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the argmax of the one-hot label equals the argmax of `y_pred`.

    Example:
        >>> scores = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
        >>> categorical_accuracy([[0, 0, 1], [0, 1, 0]], scores).tolist()
        [0.0, 1.0]
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    return _index_matches(y_true.argmax(dim=-1), y_pred, squeeze_any=True)


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the integer label equals the argmax of `y_pred`.

    Labels may be `(N,)` or `(N, 1)` for predictions `(N, C)`.

    Example:
        >>> sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]).tolist()
        [0.0, 1.0]
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    matches = _index_matches(y_true, y_pred, squeeze_any=False)
    if matches.dim() > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def _index_matches(labels: torch.Tensor, y_pred: torch.Tensor, squeeze_any: bool) -> torch.Tensor:
    """Compares class indices with `y_pred`'s argmax, keeping the labels' shape."""
    label_shape = labels.shape
    reshape = labels.dim() == y_pred.dim() and (squeeze_any or labels.shape[-1] == 1)
    if reshape:
        labels = labels.squeeze(-1)
    predicted = y_pred.argmax(dim=-1)
    if labels.is_floating_point():
        predicted = predicted.to(labels.dtype)
    matches = _as_floatx(labels == predicted)
    return matches.reshape(label_shape) if reshape else matches


def _in_top_k(targets: torch.Tensor, predictions: torch.Tensor, k: int) -> torch.Tensor:
    """True where the target's score is at least the k-th largest score (ties count)."""
    k = min(k, predictions.shape[-1])
    kth_largest = predictions.topk(k, dim=-1).values[..., -1]
    target_score = predictions.gather(-1, targets.long().unsqueeze(-1)).squeeze(-1)
    return target_score >= kth_largest


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """1.0 where the one-hot label's class is among the `k` highest predictions.

    Example:
        >>> scores = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
        >>> top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], scores, k=1).tolist()
        [0.0, 1.0]
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    return sparse_top_k_categorical_accuracy(y_true.argmax(dim=-1), y_pred, k=k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5,
                                      from_sorted_ids: bool = False) -> torch.Tensor:
    """1.0 where the integer label is among the `k` highest predictions.

    Args:
        y_true: Integer labels, `(N,)` or `(N, 1)`.
        y_pred: Scores `(N, C)`; with `from_sorted_ids=True`, class ids sorted from the
            highest score down, `(N, M)` with `M >= k`.
        k: How many top classes count as a hit.
        from_sorted_ids: Whether `y_pred` holds sorted class ids instead of scores.

    Example:
        >>> scores = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
        >>> sparse_top_k_categorical_accuracy([2, 1], scores, k=1).tolist()
        [0.0, 1.0]
    """
    y_true, y_pred = _as_tensors(y_true, y_pred)
    label_shape = y_true.shape
    labels = y_true.reshape(-1)
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    if from_sorted_ids:
        hits = (labels.to(y_pred.dtype).unsqueeze(-1) == y_pred[:, :k]).any(dim=-1)
    else:
        hits = _in_top_k(labels, y_pred, k)
    return _as_floatx(hits).reshape(label_shape)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Args:
        name: Defaults to 'accuracy'.
        dtype: Defaults to floatx.

    Example:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches 0/1 labels.

    Args:
        name: Defaults to 'binary_accuracy'.
        dtype: Defaults to floatx.
        threshold: Predictions above it count as 1. Defaults to 0.5.

    Example:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict:
        """Name, dtype and threshold."""
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of predictions matches one-hot labels.

    Args:
        name: Defaults to 'categorical_accuracy'.
        dtype: Defaults to floatx.

    Example:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of predictions matches integer labels.

    Args:
        name: Defaults to 'sparse_categorical_accuracy'.
        dtype: Defaults to floatx.

    Example:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
        >>> round(float(m.result()), 4)
        0.3
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the `k` highest predictions.

    Args:
        k: Number of top classes that count. Defaults to 5.
        name: Defaults to 'top_k_categorical_accuracy'.
        dtype: Defaults to floatx.

    Example:
        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict:
        """Name, dtype and k."""
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the `k` highest predictions.

    Args:
        k: Number of top classes that count. Defaults to 5.
        name: Defaults to 'sparse_top_k_categorical_accuracy'.
        dtype: Defaults to floatx.
        from_sorted_ids: Whether `y_pred` holds class ids sorted by score.

    Example:
        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids: bool = False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self) -> dict:
        """Name, dtype, k (and from_sorted_ids when set)."""
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
