"""Saving and serialization: Keras config dicts (and, in later work, `.keras` / `.h5` files)."""
from lamina.saving.serialization import (deserialize_keras_object, get_registered_object,
                                         register_keras_serializable, serialize_keras_object)

__all__ = ["deserialize_keras_object", "get_registered_object", "register_keras_serializable",
           "serialize_keras_object"]
