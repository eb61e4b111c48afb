"""Loss lookup by name (`get`) and the Keras serialization format of losses.

Example:
    >>> get("mse").__name__
    'mean_squared_error'
    >>> serialize(get("CategoricalCrossentropy"))["class_name"]
    'CategoricalCrossentropy'
"""
from __future__ import annotations

import inspect

from lamina.losses import classes, metric_learning, overlap, probabilistic, regression, sequence
from lamina.losses.base import Loss, LossFunctionWrapper
from lamina.utils.errors import unknown_name_error

__all__ = ["ALL_OBJECTS", "get", "serialize", "deserialize", "serialize_function"]

_FUNCTIONS = [getattr(probabilistic, name) for name in probabilistic.__all__] + \
             [getattr(regression, name) for name in regression.__all__] + \
             [overlap.dice, overlap.tversky, sequence.ctc, metric_learning.circle]
_CLASSES = [Loss, LossFunctionWrapper] + [getattr(classes, name) for name in classes.__all__]

# Keras 3's names and aliases, plus the TF-2 names learners' books print.
_ALIASES = {
    "bce": probabilistic.binary_crossentropy, "BCE": probabilistic.binary_crossentropy,
    "kld": probabilistic.kl_divergence, "KLD": probabilistic.kl_divergence,
    "kullback_leibler_divergence": probabilistic.kl_divergence,
    "mae": regression.mean_absolute_error, "MAE": regression.mean_absolute_error,
    "mse": regression.mean_squared_error, "MSE": regression.mean_squared_error,
    "mape": regression.mean_absolute_percentage_error,
    "MAPE": regression.mean_absolute_percentage_error,
    "msle": regression.mean_squared_logarithmic_error,
    "MSLE": regression.mean_squared_logarithmic_error,
    "logcosh": regression.log_cosh,
    "huber_loss": regression.huber,
}

ALL_OBJECTS = {obj.__name__: obj for obj in _FUNCTIONS + _CLASSES}
ALL_OBJECTS.update(_ALIASES)

_MODULE = "keras.losses"


def serialize_function(fn) -> dict | str:
    """Keras' config of a loss function: `{'module', 'class_name': 'function', 'config': name}`."""
    name = getattr(fn, "__name__", None)
    if name is None or name == "<lambda>":
        raise ValueError(f"Cannot serialize the loss {fn!r}: only named functions and Loss "
                         f"objects can be saved. Define it with `def` or subclass "
                         f"`keras.losses.Loss`.")
    module = _MODULE if ALL_OBJECTS.get(name) is fn else getattr(fn, "__module__", None)
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": "function"}


def serialize(loss) -> dict:
    """The Keras config of a `Loss` instance or a loss function.

    Args:
        loss: a `Loss` or a named loss function.

    Returns:
        `{'module', 'class_name', 'config', 'registered_name'}` as Keras writes it.

    Example:
        >>> serialize(get("mse"))["config"]
        'mean_squared_error'
    """
    if isinstance(loss, Loss):
        builtin = ALL_OBJECTS.get(type(loss).__name__) is type(loss)
        return {"module": _MODULE if builtin else type(loss).__module__,
                "class_name": type(loss).__name__, "config": loss.get_config(),
                "registered_name": None if builtin else type(loss).__name__}
    if callable(loss):
        return serialize_function(loss)
    raise TypeError(f"serialize expects a Loss or a loss function. Received: {loss!r} of type "
                    f"{type(loss).__name__}")


def _lookup(name: str, custom_objects: dict | None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in ALL_OBJECTS:
        return ALL_OBJECTS[name]
    raise unknown_name_error("loss", name, ALL_OBJECTS)


def deserialize(config, custom_objects: dict | None = None):
    """Rebuilds a loss function or `Loss` from `serialize`'s output (or a bare name).

    Args:
        config: a name, or a dict with 'class_name' and 'config' (Keras 3 or TF-2 layout).
        custom_objects: extra names to resolve, e.g. `{'my_loss': my_loss}`.

    Returns:
        A loss function or a `Loss` instance.

    Example:
        >>> deserialize({"class_name": "Huber", "config": {"delta": 2.0}}).delta
        2.0
    """
    if isinstance(config, str):
        return _lookup(config, custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret loss config: {config!r}. Expected a name or a dict "
                         f"with 'class_name' and 'config'.")
    if config["class_name"] == "function":
        return _lookup(config["config"], custom_objects)
    name = config["class_name"]
    if custom_objects and config.get("registered_name") in custom_objects:
        name = config["registered_name"]
    cls = _lookup(name, custom_objects)
    if not (inspect.isclass(cls) and issubclass(cls, Loss)):
        raise ValueError(f"Could not interpret loss config: {config!r}: {name!r} is not a "
                         f"Loss class.")
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """Resolves a loss identifier: a name gives the function, a class name an instance.

    Args:
        identifier: None, a name or alias ('mse', 'sparse_categorical_crossentropy',
            'CategoricalCrossentropy'), a config dict, a `Loss` class or instance, or a callable.

    Returns:
        A loss function, a `Loss` instance, or None for None.

    Example:
        >>> get("categorical_crossentropy").__name__
        'categorical_crossentropy'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup(identifier, None)
    else:
        obj = identifier
    if inspect.isclass(obj):
        if not issubclass(obj, Loss):
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}: a class "
                             f"must subclass keras.losses.Loss.")
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Expected a loss "
                     f"name such as 'mse' or 'sparse_categorical_crossentropy', a Loss, or a "
                     f"function `fn(y_true, y_pred)`.")
