"""Keras' `keras.wrappers`: scikit-learn estimators around lamina models.

Example:
    >>> import lamina as keras
    >>> keras.wrappers.SKLearnRegressor(model=None).get_params()["warm_start"]
    False
"""
from lamina.wrappers.sklearn_wrapper import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
