"""Hinge metrics: the running means of lamina.losses' hinge, squared hinge and categorical hinge.

Labels for `Hinge` and `SquaredHinge` may be 0/1 (turned into -1/1) or -1/1.

Example:
    >>> m = Hinge()
    >>> m.update_state([[0, 1], [1, 1]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 4)
    0.8
"""
from __future__ import annotations

from lamina.metrics.base import MeanMetricWrapper
from lamina.metrics.probabilistic import loss_function

__all__ = ["Hinge", "SquaredHinge", "CategoricalHinge"]


class _LossMean(MeanMetricWrapper):
    """The mean of one of lamina.losses' per-sample functions; config is name and dtype."""

    _loss_name = "hinge"

    def __init__(self, name: str, dtype=None):
        super().__init__(loss_function(self._loss_name), name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class Hinge(_LossMean):
    """The mean of `mean(maximum(1 - y_true * y_pred, 0), axis=-1)`.

    Args:
        name: Defaults to 'hinge'.
        dtype: Defaults to floatx.

    Example:
        >>> round(float(Hinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
        1.3
    """

    _loss_name = "hinge"

    def __init__(self, name: str = "hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class SquaredHinge(_LossMean):
    """The mean of `mean(maximum(1 - y_true * y_pred, 0) ** 2, axis=-1)`.

    Args:
        name: Defaults to 'squared_hinge'.
        dtype: Defaults to floatx.

    Example:
        >>> round(float(SquaredHinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
        1.86
    """

    _loss_name = "squared_hinge"

    def __init__(self, name: str = "squared_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class CategoricalHinge(_LossMean):
    """The mean of `maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`.

    Args:
        name: Defaults to 'categorical_hinge'.
        dtype: Defaults to floatx.

    Example:
        >>> round(float(CategoricalHinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
        1.4
    """

    _loss_name = "categorical_hinge"

    def __init__(self, name: str = "categorical_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)
