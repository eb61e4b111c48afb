"""Probabilistic metrics: running means of lamina.losses' cross-entropies, KL divergence, Poisson.

Example:
    >>> m = SparseCategoricalCrossentropy()
    >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> round(float(m.result()), 4)
    1.1769
"""
from __future__ import annotations

from typing import Callable

from lamina.metrics.base import MeanMetricWrapper

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "KLDivergence", "Poisson", "loss_function"]


def loss_function(name: str) -> Callable:
    """A per-sample function that calls `lamina.losses.<name>`, imported on first use."""

    def per_sample(y_true, y_pred, **kwargs):
        from lamina import losses

        return getattr(losses, name)(y_true, y_pred, **kwargs)

    per_sample.__name__ = name
    return per_sample


def _non_default(**options) -> dict:
    """Keyword arguments for the loss function, leaving out those at Keras' defaults."""
    defaults = {"from_logits": False, "label_smoothing": 0, "ignore_class": None, "axis": -1}
    return {key: value for key, value in options.items() if value != defaults[key]}


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary cross-entropy between 0/1 labels and predicted probabilities.

    Args:
        name: Defaults to 'binary_crossentropy'.
        dtype: Defaults to floatx.
        from_logits: Whether predictions are logits.
        label_smoothing: Float in [0, 1]; labels become `y * (1 - s) + s / 2`.

    Example:
        >>> round(float(BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
        0.8149
    """

    def __init__(self, name: str = "binary_crossentropy", dtype=None, from_logits: bool = False,
                 label_smoothing: float = 0):
        super().__init__(loss_function("binary_crossentropy"), name=name, dtype=dtype,
                         **_non_default(from_logits=from_logits, label_smoothing=label_smoothing))
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self) -> dict:
        """Name, dtype, from_logits and label_smoothing."""
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean cross-entropy between one-hot labels and predicted distributions.

    Args:
        name: Defaults to 'categorical_crossentropy'.
        dtype: Defaults to floatx.
        from_logits: Whether predictions are logits.
        label_smoothing: Float in [0, 1].
        axis: The class axis. Defaults to -1.

    Example:
        >>> y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
        >>> round(float(CategoricalCrossentropy()([[0, 1, 0], [0, 0, 1]], y_pred)), 4)
        1.1769
    """

    def __init__(self, name: str = "categorical_crossentropy", dtype=None,
                 from_logits: bool = False, label_smoothing: float = 0, axis: int = -1):
        super().__init__(loss_function("categorical_crossentropy"), name=name, dtype=dtype,
                         **_non_default(from_logits=from_logits, label_smoothing=label_smoothing,
                                        axis=axis))
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self) -> dict:
        """Name, dtype, from_logits, label_smoothing and axis."""
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean cross-entropy between integer labels and predicted distributions.

    Args:
        name: Defaults to 'sparse_categorical_crossentropy'.
        dtype: Defaults to floatx.
        from_logits: Whether predictions are logits.
        ignore_class: A label whose entries cost 0 (and, when sample weights are given,
            weigh 0, as in Keras). Defaults to None.
        axis: The class axis. Defaults to -1.

    Example:
        >>> y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
        >>> round(float(SparseCategoricalCrossentropy()([1, 2], y_pred)), 4)
        1.1769
    """

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype=None,
                 from_logits: bool = False, ignore_class: int | None = None, axis: int = -1):
        super().__init__(loss_function("sparse_categorical_crossentropy"), name=name,
                         dtype=dtype, **_non_default(from_logits=from_logits,
                                                     ignore_class=ignore_class, axis=axis))
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self) -> dict:
        """Name, dtype, from_logits, ignore_class and axis (Keras' keys and order)."""
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class KLDivergence(MeanMetricWrapper):
    """The mean Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred), axis=-1)`.

    Both arguments are clipped to [1e-7, 1] first.

    Args:
        name: Defaults to 'kl_divergence'.
        dtype: Defaults to floatx.

    Example:
        >>> round(float(KLDivergence()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
        0.4581
    """

    def __init__(self, name: str = "kl_divergence", dtype=None):
        super().__init__(loss_function("kl_divergence"), name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}


class Poisson(MeanMetricWrapper):
    """The mean Poisson deviance `mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)`.

    Args:
        name: Defaults to 'poisson'.
        dtype: Defaults to floatx.

    Example:
        >>> round(float(Poisson()([[0, 1], [0, 0]], [[1, 1], [0, 0]])), 4)
        0.5
    """

    def __init__(self, name: str = "poisson", dtype=None):
        super().__init__(loss_function("poisson"), name=name, dtype=dtype)

    def get_config(self) -> dict:
        """Name and dtype."""
        return {"name": self.name, "dtype": self.dtype}
