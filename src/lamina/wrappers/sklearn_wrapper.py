"""scikit-learn wrappers (`SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer`) as
Keras 3 defines them: a compiled model, or a function `model(X=..., y=..., **model_kwargs)`
returning one, fitted and used through scikit-learn's estimator API.

scikit-learn is optional: the classes import without it and raise Keras' ImportError when
created.
"""
from __future__ import annotations

import copy

import numpy as np

try:
    import sklearn
    import sklearn.pipeline
    import sklearn.preprocessing
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # the wrappers then refuse to be created, with Keras' message
    sklearn = None
    BaseEstimator = ClassifierMixin = RegressorMixin = TransformerMixin = object

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def _validate_data(estimator, *args, **kwargs):
    try:  # scikit-learn >= 1.6
        from sklearn.utils.validation import validate_data
    except ImportError:
        return estimator._validate_data(*args, **kwargs)
    return validate_data(estimator, *args, **kwargs)


def _type_of_target(y) -> str:
    from sklearn.utils.multiclass import type_of_target

    target_type = type_of_target(y)
    if target_type == "unknown":
        raise ValueError(f"Unknown label type for data: {y!r}")
    return target_type


def _check_model(model) -> None:
    compiled = getattr(model, "compiled", getattr(model, "_compiled", False))
    if not compiled or not model.loss or not model.optimizer:
        raise RuntimeError("Given model needs to be compiled, and have a loss and an optimizer.")


class _TargetReshaper(TransformerMixin, BaseEstimator):
    """Targets `(n,)` as `(n, 1)` for the model, and predictions back to `(n,)`."""

    def fit(self, y):
        self.ndim_ = y.ndim
        return self

    def transform(self, y):
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y


class _SKLBase(BaseEstimator):
    """Fits `model` (cloned unless `warm_start`) or the model `model(X=X, y=y, **model_kwargs)`
    returns, with `fit_kwargs` (overridden by `fit`'s own keyword arguments).

    Args:
        model: A compiled lamina `Model`, or a callable `(X, y, **model_kwargs) -> Model`.
        warm_start: Keep training the model of the previous fit instead of a fresh one.
        model_kwargs: Keyword arguments for `model` when it is a callable.
        fit_kwargs: Keyword arguments for `Model.fit` (epochs, batch_size, ...).

    Attributes:
        model_: The fitted model.
        history_: The `History` of the last fit.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        if sklearn is None:
            raise ImportError(f"{type(self).__name__} requires `scikit-learn` to be installed. "
                              "Run `pip install scikit-learn` to install it.")
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        model = self.model if callable(self.model) else copy.deepcopy(self.model)
        return type(self)(model=model, warm_start=self.warm_start,
                          model_kwargs=self.model_kwargs, fit_kwargs=self.fit_kwargs)

    @property
    def epoch_(self) -> int:
        """The epochs trained in the last fit."""
        history = getattr(self, "history_", None)
        return len(getattr(history, "epoch", [])) if history is not None else 0

    def _get_model(self, X, y):
        from lamina.models import Model, clone_model  # the models sit above the wrappers

        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            return self._compiled_clone(clone_model(self.model), self.model)
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    @staticmethod
    def _compiled_clone(clone, model):
        config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
        if config:
            clone.compile_from_config(config)
        return clone

    def fit(self, X, y, **kwargs):
        """Fits the model on `X` and `y`; `kwargs` go to `Model.fit`.

        Returns:
            self.
        """
        X, y = _validate_data(self, X, y)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        _check_model(model)
        fit_kwargs = {**(self.fit_kwargs or {}), **kwargs}
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def predict(self, X):
        """The model's predictions for `X`, in the targets' original form."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = _validate_data(self, X, reset=False)
        return self._reverse_process_target(self.model_.predict(X))

    def _process_target(self, y, reset=False):
        _type_of_target(y)
        if reset:
            self._target_encoder = _TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)


class SKLearnClassifier(ClassifierMixin, _SKLBase):
    """A scikit-learn classifier around a lamina model (Keras' `SKLearnClassifier`).

    Labels are one-hot encoded for the model (so it ends in a softmax over the classes and
    uses categorical cross-entropy); `predict` gives labels back, `decision_function` the
    model's raw outputs.

    Args: see `SKLearnRegressor` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).

    Attributes:
        classes_: The class labels seen by `fit`.

    Example:
        >>> def build(X, y):
        ...     model = lamina.Sequential([lamina.Input((X.shape[1],)),
        ...                                lamina.layers.Dense(y.shape[1], activation="softmax")])
        ...     model.compile(optimizer="adam", loss="categorical_crossentropy")
        ...     return model
        >>> X, y = np.random.rand(20, 3), np.arange(20) % 2
        >>> classifier = SKLearnClassifier(model=build, fit_kwargs={"epochs": 2, "verbose": 0})
        >>> classifier.fit(X, y).classes_.tolist(), classifier.epoch_
        ([0, 1], 2)
    """

    def decision_function(self, X):
        """The model's raw outputs for `X` (class scores)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = _validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def _process_target(self, y, reset=False):
        target_type = _type_of_target(y)
        if target_type not in ("binary", "multiclass"):
            raise ValueError("Only binary and multiclass target types are supported. Target "
                             f"type: {target_type}")
        if reset:
            self._target_encoder = sklearn.pipeline.make_pipeline(
                _TargetReshaper(), sklearn.preprocessing.OneHotEncoder(sparse_output=False)
            ).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, _SKLBase):
    """A scikit-learn regressor around a lamina model (Keras' `SKLearnRegressor`).

    Args:
        model: A compiled lamina `Model` (cloned before each fit unless `warm_start`), or a
            callable `model(X=X, y=y, **model_kwargs)` returning a compiled model.
        warm_start: Keep training the previous fit's model.
        model_kwargs: Keyword arguments for `model` when it is a callable.
        fit_kwargs: Keyword arguments for `Model.fit`; `fit`'s own keyword arguments win.

    Example:
        >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> X, y = np.random.rand(16, 3), np.random.rand(16)
        >>> regressor = SKLearnRegressor(model=model, fit_kwargs={"epochs": 1, "verbose": 0})
        >>> regressor.fit(X, y).model_ is model  # a clone is trained
        False
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, _SKLBase):
    """A scikit-learn transformer whose `transform` is the model's prediction (an embedding,
    say), as Keras' `SKLearnTransformer`.

    Args: see `SKLearnRegressor` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).
    """

    def transform(self, X):
        """The model's outputs for `X`."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = _validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
