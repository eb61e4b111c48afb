"""Correlation metrics: PearsonCorrelation and ConcordanceCorrelation, per sample along `axis`.

Each sample's correlation between its labels and predictions is computed along `axis`,
and the metric is the running (weighted) mean of those values, as in Keras.

Example:
    >>> m = PearsonCorrelation()
    >>> m.update_state([[0.0, 1.0, 2.0]], [[1.0, 3.0, 5.0]])
    >>> round(float(m.result()), 4)
    1.0
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.metrics.base import MeanMetricWrapper, squeeze_or_expand_to_same_rank

__all__ = ["PearsonCorrelation", "ConcordanceCorrelation", "pearson_correlation",
           "concordance_correlation"]


def _prepare(y_true, y_pred):
    y_pred = backend.to_tensor(y_pred) if not isinstance(y_pred, torch.Tensor) else y_pred
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(backend.torch_dtype(backend.floatx()))
    y_true = backend.to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Pearson's correlation coefficient of labels and predictions along `axis`.

    Example:
        >>> pearson_correlation([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0]],
        ...                     [[0.0, 2.0, 1.0], [0.0, 1.0, 0.0]])
        tensor([ 0.5000, -1.0000])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    true_centered = y_true - y_true.mean(dim=axis, keepdim=True)
    pred_centered = y_pred - y_pred.mean(dim=axis, keepdim=True)
    true_centered = true_centered / true_centered.std(dim=axis, keepdim=True, correction=0)
    pred_centered = pred_centered / pred_centered.std(dim=axis, keepdim=True, correction=0)
    return (true_centered * pred_centered).mean(dim=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Lin's concordance correlation coefficient along `axis`, as Keras 3 computes it.

    `mean(2 * (y_true - mean(y_pred)) * (y_pred - mean(y_pred)) / (var(y_true) +
    var(y_pred) + (mean(y_true) - mean(y_pred))² + epsilon))`; Keras centres the labels on
    the predictions' mean in the covariance term, and so does lamina.

    Example:
        >>> concordance_correlation([[0.0, 1.0, 2.0]], [[0.0, 1.0, 2.0]])
        tensor([1.0000])
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = (y_true - true_mean).var(dim=axis, keepdim=True, correction=0)
    pred_var = (y_pred - pred_mean).var(dim=axis, keepdim=True, correction=0)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + (true_mean - pred_mean).square()
    return (2 * covariance / (norm + backend.epsilon())).mean(dim=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean Pearson correlation of each sample's labels and predictions along `axis`.

    Args:
        name: Defaults to 'pearson_correlation'.
        dtype: Defaults to floatx.
        axis: The axis the correlation is computed along. Defaults to -1.

    Example:
        >>> m = PearsonCorrelation()
        >>> m.update_state([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0]],
        ...                [[0.0, 2.0, 1.0], [0.0, 1.0, 0.0]], sample_weight=[3.0, 1.0])
        >>> round(float(m.result()), 4)
        0.125
    """

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean concordance correlation of each sample's labels and predictions along `axis`.

    Args:
        name: Defaults to 'concordance_correlation'.
        dtype: Defaults to floatx.
        axis: The axis the correlation is computed along. Defaults to -1.

    Example:
        >>> m = ConcordanceCorrelation()
        >>> m.update_state([[0.0, 1.0, 2.0]], [[0.0, 1.0, 2.0]])
        >>> round(float(m.result()), 4)
        1.0
    """

    def __init__(self, name: str = "concordance_correlation", dtype=None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
