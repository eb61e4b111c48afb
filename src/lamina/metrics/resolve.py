"""Turning what a user passes to `compile(metrics=...)` into `Metric` objects.

`get` maps a name, class, instance, config dict or plain function to a metric.
`resolve` adds compile's rule for 'accuracy' / 'acc' and 'crossentropy' / 'ce': the
concrete metric follows from the label and output shapes (from the loss where they are not
known), and keeps the user's spelling as its name.

Example:
    >>> resolve("acc", "sparse_categorical_crossentropy", (32,), (32, 10))
    <SparseCategoricalAccuracy name=acc>
    >>> resolve("mse", "mse", (32, 1), (32, 1)).name
    'mse'
"""
from __future__ import annotations

import inspect
import re
from typing import Any, Callable

import lamina.metrics.accuracy as accuracy_module
from lamina.metrics.accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                     SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                     TopKCategoricalAccuracy)
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
from lamina.metrics.sensitivity import (PrecisionAtRecall, RecallAtPrecision,
                                        SensitivityAtSpecificity, SpecificityAtSensitivity)
from lamina.utils import naming
from lamina.utils.errors import unknown_name_error

__all__ = ["ALL_OBJECTS", "alias_kind", "check_name", "get", "resolve", "serialize",
           "deserialize", "get_function", "shape_family"]

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score,
    AUC, SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
    RecallAtPrecision, F1Score, FBetaScore, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence,
    Poisson, Hinge, SquaredHinge, CategoricalHinge,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    IoU, MeanIoU, OneHotIoU, OneHotMeanIoU, BinaryIoU, PearsonCorrelation, ConcordanceCorrelation,
)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in ALL_OBJECTS}
_BY_NAME.update({naming.to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
_BY_NAME.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    # TF-2 spellings that learners' books use; Keras 3 dropped them.
    "kld": KLDivergence, "KLD": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "logcosh": LogCoshError, "log_cosh": LogCoshError,
    "fbeta_score": FBetaScore,
})
_FUNCTIONS = {name: getattr(accuracy_module, name) for name in (
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy")}
_FUNCTIONS["cosine_similarity"] = cosine_similarity
_FUNCTIONS["pearson_correlation"] = pearson_correlation
_FUNCTIONS["concordance_correlation"] = concordance_correlation

_ACCURACY_ALIASES = ("accuracy", "acc")
_CROSSENTROPY_ALIASES = ("crossentropy", "ce")
_BY_FAMILY = {
    "accuracy": {"binary": BinaryAccuracy, "categorical": CategoricalAccuracy,
                 "sparse": SparseCategoricalAccuracy},
    "crossentropy": {"binary": BinaryCrossentropy, "categorical": CategoricalCrossentropy,
                     "sparse": SparseCategoricalCrossentropy},
}
_LOSS_FAMILIES = {
    "binary_crossentropy": "binary", "bce": "binary", "binary_focal_crossentropy": "binary",
    "categorical_crossentropy": "categorical", "categorical_focal_crossentropy": "categorical",
    "sparse_categorical_crossentropy": "sparse",
}


def get(identifier) -> Metric | None:
    """Returns the metric an identifier names.

    Args:
        identifier: A `Metric` instance (returned as is), a metric class, a name
            ('mse', 'auc', 'Precision', 'binary_accuracy', ...), a config dict
            (`{"class_name": "AUC", "config": {...}}`), or a function
            `fn(y_true, y_pred)` (wrapped in `MeanMetricWrapper`, named after it).
            None gives None.

    Returns:
        A `Metric` with its default name (see `resolve` for compile's naming). As in
        Keras, 'accuracy' is the exact-match `Accuracy` and 'acc' is refused: choosing
        binary / categorical / sparse accuracy needs the loss, which only compile has.

    Example:
        >>> get("mse").name
        'mean_squared_error'
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise _unknown_metric(identifier)
        return cls()
    if inspect.isclass(identifier):
        instance = identifier()
        return instance if isinstance(instance, Metric) else _wrap(instance)
    if callable(identifier):
        return _wrap(identifier)
    raise TypeError(f"Could not interpret metric identifier: {identifier!r} of type "
                    f"{type(identifier).__name__}. Expected a metric name such as 'accuracy', a "
                    f"keras.metrics.Metric, or a function fn(y_true, y_pred).")


def resolve(identifier, loss=None, y_true_shape=None, y_pred_shape=None) -> Metric:
    """Returns the metric `compile(metrics=[identifier])` uses for one model output.

    'accuracy' / 'acc' (any case) become BinaryAccuracy, CategoricalAccuracy or
    SparseCategoricalAccuracy, and 'crossentropy' / 'ce' the matching cross-entropy:
    chosen by the shapes, as Keras 3 chooses (a last dimension of 1, or rank-1 predictions
    -> binary; labels of lower rank or with last dimension 1 against several classes ->
    sparse; else categorical), or by the loss (binary_crossentropy, ... as a name, function
    or Loss instance) when the shapes are not known.
    A metric given as a string is named by that string ('mse' logs as 'mse').

    Args:
        identifier: Anything `get` accepts, or one of the aliases above.
        loss: The output's loss (name, function or Loss instance), or None.
        y_true_shape: Shape of the labels, e.g. `(32,)`.
        y_pred_shape: Shape of the model output, e.g. `(32, 10)`.

    Returns:
        The metric, named as Keras names it in the logs.

    Example:
        >>> resolve("accuracy", None, (32, 1), (32, 1))
        <BinaryAccuracy name=accuracy>
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`.")
    if isinstance(identifier, str):
        kind = alias_kind(identifier)
        if kind is not None:
            # Keras 3 chooses by the shapes alone (Dense(2) + binary_crossentropy on one-hot
            # labels logs CategoricalAccuracy); the loss decides only where shapes are unknown.
            shapes_known = y_true_shape is not None and y_pred_shape is not None
            family = (_shape_family(identifier, y_true_shape, y_pred_shape) if shapes_known
                      else _loss_family(loss) or _shape_family(identifier, None, None))
            cls = _BY_FAMILY[kind][family]
            if kind == "crossentropy" and getattr(loss, "from_logits", False):
                return cls(name=identifier, from_logits=True)
            return cls(name=identifier)
    metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def check_name(name: str) -> None:
    """Raises the error `resolve` would give for a name no metric has (compile calls it early).

    Example:
        >>> check_name("acc")
        >>> check_name("mea")
        Traceback (most recent call last):
        ...
        ValueError: Unknown metric: 'mea'. Did you mean 'mean' or 'mse' or 'mae'? ...
    """
    if alias_kind(name) is None and name not in _BY_NAME:
        raise _unknown_metric(name)


def serialize(metric: Metric) -> dict[str, Any]:
    """Keras' serialized form: `{"module", "class_name", "config", "registered_name"}`."""
    return {"module": "keras.metrics", "class_name": type(metric).__name__,
            "config": metric.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any]) -> Metric:
    """Builds a metric from `serialize`'s dict (or `{"class_name", "config"}`)."""
    class_name = config.get("class_name")
    cls = _BY_NAME.get(class_name) if isinstance(class_name, str) else None
    if cls is None:
        raise _unknown_metric(class_name)
    return cls.from_config(config.get("config") or {})


def get_function(name: str) -> Callable:
    """The per-sample metric function of that name (e.g. 'binary_accuracy')."""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    from lamina import losses

    function = getattr(losses, name, None)
    if not callable(function):
        raise unknown_name_error("metric function", name, _FUNCTIONS)
    return function


def _wrap(function: Callable) -> MeanMetricWrapper:
    name = getattr(function, "name", None) or getattr(function, "__name__", None) \
        or type(function).__name__
    return MeanMetricWrapper(function, name=naming.to_snake_case(re.sub(r"\W+", "", name)))


def _unknown_metric(name) -> ValueError:
    kind = alias_kind(name) if isinstance(name, str) else None
    if kind is not None:
        # Keras' get() refuses these too: only compile() knows the shapes that pick the metric.
        examples = {"accuracy": "'binary_accuracy', 'categorical_accuracy' or "
                                "'sparse_categorical_accuracy'",
                    "crossentropy": "'binary_crossentropy', 'categorical_crossentropy' or "
                                    "'sparse_categorical_crossentropy'"}[kind]
        return ValueError(f"Could not interpret metric identifier: {name}. {name!r} is resolved "
                          f"from the outputs' shapes only inside compile(metrics=[...]); outside "
                          f"compile, "
                          f"name the metric: {examples}.")
    return unknown_name_error("metric", name, list(_BY_NAME) + list(_ACCURACY_ALIASES)
                              + list(_CROSSENTROPY_ALIASES))


def alias_kind(identifier: str) -> str | None:
    """'accuracy' or 'crossentropy' for compile's aliases ('acc', 'CE', ...), else None.

    Example:
        >>> alias_kind("CE")
        'crossentropy'
    """
    lowered = identifier.lower()
    if lowered in _ACCURACY_ALIASES:
        return "accuracy"
    if lowered in _CROSSENTROPY_ALIASES:
        return "crossentropy"
    return None


def _loss_family(loss) -> str | None:
    """'binary', 'categorical' or 'sparse' when the loss is a cross-entropy, else None."""
    if loss is None:
        return None
    if isinstance(loss, str):
        name = loss
    elif callable(getattr(loss, "fn", None)):
        name = getattr(loss.fn, "__name__", "")
    elif inspect.isfunction(loss) or inspect.isclass(loss):
        name = loss.__name__
    else:
        name = type(loss).__name__
    return _LOSS_FAMILIES.get(naming.to_snake_case(name))


def shape_family(y_true_shape, y_pred_shape) -> str:
    """'binary', 'sparse' or 'categorical': which accuracy or cross-entropy Keras 3 picks for
    labels and outputs of these shapes (compile's 'accuracy' metric and 'crossentropy' loss).

    Example:
        >>> shape_family((32,), (32, 10))
        'sparse'
    """
    return _shape_family("crossentropy", y_true_shape, y_pred_shape)


def _shape_family(identifier: str, y_true_shape, y_pred_shape) -> str:
    if y_true_shape is None or y_pred_shape is None:
        raise ValueError(f"Cannot resolve metric {identifier!r}: it depends on the loss or on "
                         f"the shapes of labels and outputs, but received loss without a "
                         f"cross-entropy and y_true_shape={y_true_shape}, "
                         f"y_pred_shape={y_pred_shape}. Pass the shapes, or name the metric "
                         f"explicitly (e.g. 'sparse_categorical_accuracy').")
    true_rank, pred_rank = len(y_true_shape), len(y_pred_shape)
    true_last = y_true_shape[-1] if true_rank else None
    pred_last = y_pred_shape[-1] if pred_rank else None
    if pred_rank <= 1 or pred_last == 1:
        return "binary"
    if true_rank < pred_rank or (true_last == 1 and (pred_last is None or pred_last > 1)):
        return "sparse"
    return "categorical"
