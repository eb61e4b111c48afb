"""Keras' automatic config: the constructor arguments a layer was made with, kept so that a
custom layer without `get_config()` still saves and reloads.

Keras records them when the object is created (`Operation.__new__`) and `get_config()` uses
them only when the class does not define its own; only plain values (str, int, float, bool,
None, and lists, tuples and dicts of them) are kept, since only those reload faithfully.

Example:
    >>> class Scale(lamina.layers.Layer):
    ...     def __init__(self, factor, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.factor = factor
    >>> Scale(3.0, name="scale").get_config()["factor"]
    3.0
"""
from __future__ import annotations

import inspect

from lamina import tree

__all__ = ["UNSUPPORTED_ARGUMENTS", "accepted_keys", "constructor_arguments", "missing_config_error"]

# Marks a constructor called with positional-only or `*args` arguments, which `cls(**config)`
# cannot pass back.
UNSUPPORTED_ARGUMENTS = "unsupported arguments"

_PLAIN_TYPES = (str, int, float, bool, type(None))

_EXAMPLE = """
    class CustomLayer(keras.layers.Layer):
        def __init__(self, arg1, arg2, **kwargs):
            super().__init__(**kwargs)
            self.arg1 = arg1
            self.arg2 = arg2

        def get_config(self):
            config = super().get_config()
            config.update({"arg1": self.arg1, "arg2": self.arg2})
            return config"""


def constructor_arguments(cls: type, args: tuple, kwargs: dict):
    """The keyword arguments `cls(*args, **kwargs)` amounts to (defaults filled in, `name`
    left out); None when one of them is not a plain value, UNSUPPORTED_ARGUMENTS when the
    call passed positional-only or variadic positional arguments."""
    signature = inspect.signature(cls.__init__)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return None
    parameters = list(signature.parameters.values())[1:]
    if any(parameter.kind is parameter.POSITIONAL_ONLY for parameter in parameters):
        return UNSUPPORTED_ARGUMENTS
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(signature.parameters)))
    for parameter in parameters:
        if parameter.kind is parameter.VAR_KEYWORD:
            arguments.update(arguments.pop(parameter.name, {}))
        elif parameter.kind is parameter.VAR_POSITIONAL and arguments.pop(parameter.name, ()):
            return UNSUPPORTED_ARGUMENTS
    arguments.pop("name", None)
    if not all(isinstance(value, _PLAIN_TYPES) for value in tree.flatten(arguments)):
        return None
    return arguments


def accepted_keys(cls: type, keys) -> list:
    """Those of `keys` that `cls(**config)` can take back: `__init__` names them or takes
    `**kwargs`. (Keras adds `trainable` and `dtype` regardless, and then cannot reload a class
    whose `__init__` lacks them.)"""
    parameters = inspect.signature(cls.__init__).parameters
    if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters.values()):
        return list(keys)
    return [key for key in keys if key in parameters]


def missing_config_error(cls: type, arguments) -> NotImplementedError:
    """Keras' error for saving a layer whose arguments its own `get_config()` must record."""
    if arguments is UNSUPPORTED_ARGUMENTS:
        cause = ("was created by passing positional only or variadic positional arguments "
                 "(e.g., `*args`) to `__init__()`, which is not supported by the automatic "
                 "config generation. Please remove all positional only and variadic arguments "
                 "from `__init__()` or override `get_config()` and `from_config()` to make the "
                 "object serializable.")
    else:
        cause = ("was created by passing non-serializable argument values in `__init__()`, and "
                 "therefore the object must override `get_config()` in order to be "
                 "serializable. Please implement `get_config()`.")
    return NotImplementedError(f"Object {cls.__name__} {cause}\n\nExample:\n{_EXAMPLE}")
