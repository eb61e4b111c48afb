"""Saving (`keras.saving`): Keras 3's `.keras` files, Keras 2's `.h5`, configs and the registry.

The file functions load on first use: the registry and config functions are imported by
layers, losses and initializers, which the file code itself depends on.

Example:
    >>> @lamina.saving.register_keras_serializable(package="demo")
    ... class Twice(lamina.layers.Layer):
    ...     def call(self, x):
    ...         return 2 * x
    >>> config = lamina.saving.serialize_keras_object(Twice())
    >>> config["registered_name"]
    'demo>Twice'
    >>> type(lamina.saving.deserialize_keras_object(config)).__name__
    'Twice'
"""
import importlib

from lamina.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = ["CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
           "get_custom_objects", "get_registered_name", "get_registered_object", "load_model",
           "load_weights", "register_keras_serializable", "save_model", "save_weights",
           "serialize_keras_object"]

_FILE_FUNCTIONS = ("load_model", "load_weights", "save_model", "save_weights")


def __getattr__(name):
    if name in _FILE_FUNCTIONS:
        return getattr(importlib.import_module("lamina.saving.saving_api"), name)
    raise AttributeError(f"module 'lamina.saving' has no attribute {name!r}")
