"""Keras losses on PyTorch: functions (per-sample values) and `Loss` classes (reduced values).

`get(name)` resolves compile's `loss=` argument; `validate_targets` checks labels once per fit.

Example:
    >>> import torch
    >>> import lamina as keras
    >>> keras.losses.get("mse")(torch.tensor([[1.0, 3.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([2.])
"""
from lamina.losses.base import (
    Loss,
    LossFunctionWrapper,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from lamina.losses.classes import (
    CTC,
    BinaryCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    Circle,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Dice,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    Tversky,
)
from lamina.losses.sequence import ctc
from lamina.losses.metric_learning import circle
from lamina.losses.overlap import dice, tversky
from lamina.losses.probabilistic import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from lamina.losses.regression import (
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    squared_hinge,
)
from lamina.losses.registry import ALL_OBJECTS, deserialize, get, serialize
from lamina.losses.validation import validate_targets

# Short names Keras exports at keras.losses (and TF-2 era code uses).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

__all__ = [
    "Loss", "LossFunctionWrapper", "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
    "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy", "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber",
    "KLDivergence", "LogCosh", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredError", "MeanSquaredLogarithmicError", "Poisson",
    "SparseCategoricalCrossentropy", "SquaredHinge", "Dice", "Tversky", "CTC",
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "kl_divergence", "poisson",
    "sparse_categorical_crossentropy", "categorical_hinge", "cosine_similarity", "hinge", "huber",
    "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "squared_hinge", "dice", "tversky", "ctc",
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "kullback_leibler_divergence", "logcosh",
    "ALL_OBJECTS", "get", "serialize", "deserialize", "validate_targets",
]
__all__ += ["Circle", "circle", "CategoricalGeneralizedCrossEntropy",
            "categorical_generalized_cross_entropy"]
