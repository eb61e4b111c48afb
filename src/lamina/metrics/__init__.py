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
from lamina.metrics.correlation import (ConcordanceCorrelation, PearsonCorrelation,
                                        concordance_correlation, pearson_correlation)
from lamina.metrics.f_score import F1Score, FBetaScore
from lamina.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from lamina.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from lamina.metrics.probabilistic import (BinaryCrossentropy, CategoricalCrossentropy,
                                          KLDivergence, Poisson, SparseCategoricalCrossentropy)
from lamina.metrics.r2 import R2Score
from lamina.metrics.regression import (CosineSimilarity, LogCoshError, MeanAbsoluteError,
                                       MeanAbsolutePercentageError, MeanSquaredError,
                                       MeanSquaredLogarithmicError, RootMeanSquaredError,
                                       cosine_similarity)
from lamina.metrics.resolve import deserialize, get, resolve, serialize
from lamina.metrics.sensitivity import (PrecisionAtRecall, RecallAtPrecision,
                                        SensitivityAtSpecificity, SpecificityAtSensitivity)

# keras.metrics also exports these per-sample loss functions (Keras 3 names, then the TF-2
# aliases learners' books use); lamina.losses owns them.
_LOSS_FUNCTIONS = (
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "categorical_hinge",
    "hinge", "squared_hinge", "huber", "kl_divergence", "log_cosh", "poisson",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mae", "mse", "mape", "msle", "MAE", "MSE", "MAPE", "MSLE", "kld", "KLD",
    "kullback_leibler_divergence", "logcosh",
)

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError", "CosineSimilarity", "LogCoshError",
    "R2Score",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge",
    "AUC", "Precision", "Recall", "TruePositives", "FalsePositives", "TrueNegatives",
    "FalseNegatives", "SensitivityAtSpecificity", "SpecificityAtSensitivity",
    "PrecisionAtRecall", "RecallAtPrecision", "F1Score", "FBetaScore",
    "IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "BinaryIoU",
    "PearsonCorrelation", "ConcordanceCorrelation",
    "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "cosine_similarity",
    "pearson_correlation", "concordance_correlation",
    "get", "resolve", "serialize", "deserialize",
    *_LOSS_FUNCTIONS,
]


def __getattr__(name):
    if name in _LOSS_FUNCTIONS:
        return getattr(importlib.import_module("lamina.losses"), name)
    raise AttributeError(f"module 'lamina.metrics' has no attribute {name!r}")
