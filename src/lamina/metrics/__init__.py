"""Keras metrics on PyTorch: stateful, device-resident, never synchronising in a step.

Example:
    >>> import lamina as keras
    >>> m = keras.metrics.BinaryAccuracy()
    >>> m.update_state([1, 0, 1], [0.9, 0.2, 0.3])
    >>> round(float(m.result()), 4)
    0.6667
"""
import importlib

from lamina.metrics.accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                     SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                     TopKCategoricalAccuracy, binary_accuracy,
                                     categorical_accuracy, sparse_categorical_accuracy,
                                     sparse_top_k_categorical_accuracy,
                                     top_k_categorical_accuracy)
from lamina.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from lamina.metrics.auc import AUC
from lamina.metrics.confusion import (FalseNegatives, FalsePositives, Precision, Recall,
                                      TrueNegatives, TruePositives)
from lamina.metrics.probabilistic import (BinaryCrossentropy, CategoricalCrossentropy,
                                          SparseCategoricalCrossentropy)
from lamina.metrics.regression import (MeanAbsoluteError, MeanAbsolutePercentageError,
                                       MeanSquaredError, MeanSquaredLogarithmicError,
                                       RootMeanSquaredError)
from lamina.metrics.resolve import deserialize, get, resolve, serialize

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "AUC", "Precision", "Recall", "TruePositives", "FalsePositives", "TrueNegatives",
    "FalseNegatives",
    "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "get", "resolve", "serialize", "deserialize",
]

# keras.metrics also exports these per-sample loss functions; lamina.losses owns them.
_LOSS_FUNCTIONS = (
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "categorical_hinge",
    "hinge", "squared_hinge", "huber", "kl_divergence", "log_cosh", "poisson",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error",
)


def __getattr__(name):
    if name in _LOSS_FUNCTIONS:
        return getattr(importlib.import_module("lamina.losses"), name)
    raise AttributeError(f"module 'lamina.metrics' has no attribute {name!r}")
