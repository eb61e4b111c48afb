"""Keras' optimizers on PyTorch: `lamina.optimizers.Adam()`, `get('adam')`, schedules.

Example:
    >>> import lamina
    >>> lamina.optimizers.get("adam").get_config()["beta_1"]
    0.9
"""
from __future__ import annotations

from types import SimpleNamespace

from lamina.optimizers import schedules
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adafactor import Adafactor
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.base import Optimizer
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.lamb import Lamb
from lamina.optimizers.lion import Lion
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from lamina.optimizers.muon import Muon
from lamina.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.sgd import SGD
from lamina.utils.errors import unknown_name_error

__all__ = [
    "Optimizer", "SGD", "RMSprop", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Adadelta",
    "Lion", "Ftrl", "Lamb", "Adafactor", "LossScaleOptimizer", "schedules", "legacy", "get",
    "serialize", "deserialize",
]
__all__ += ["Muon", "ScheduleFreeAdamW", "MultiOptimizer", "OptimizerMap"]

_BUILT_IN = {cls.__name__.lower(): cls for cls in (
    SGD, RMSprop, Adagrad, Adam, AdamW, Adamax, Nadam, Adadelta, Lion, Ftrl, Lamb, Adafactor,
    LossScaleOptimizer)}
_BUILT_IN.update({cls.__name__.lower(): cls for cls in (Muon, ScheduleFreeAdamW, MultiOptimizer)})

# TF 2.11+ books write `tf.keras.optimizers.legacy.Adam`; the same classes serve.
legacy = SimpleNamespace(Optimizer=Optimizer, SGD=SGD, RMSprop=RMSprop, Adagrad=Adagrad,
                         Adam=Adam, Adamax=Adamax, Nadam=Nadam, Adadelta=Adadelta)


def serialize(optimizer: Optimizer) -> dict:
    """Keras' dict form: `{'module', 'class_name', 'config', 'registered_name'}`.

    Example:
        >>> serialize(SGD())["class_name"]
        'SGD'
    """
    cls = type(optimizer)
    built_in = _BUILT_IN.get(cls.__name__.lower()) is cls
    return {"module": "keras.optimizers" if built_in else cls.__module__,
            "class_name": cls.__name__,
            "config": optimizer.get_config(),
            "registered_name": None if built_in else cls.__name__}


def deserialize(config: dict, custom_objects=None) -> Optimizer:
    """Creates an optimizer from `serialize()` output or a TF-2 `{'class_name', 'config'}`.

    Built-in class names match case-insensitively ('adam', 'Adam').

    Example:
        >>> type(deserialize({"class_name": "Adam", "config": {"learning_rate": 0.01}})).__name__
        'Adam'
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Expected an optimizer config dict with keys 'class_name' and "
                         f"'config'. Received: {config!r}")
    class_name = config["class_name"]
    custom_objects = custom_objects or {}
    cls = (custom_objects.get(config.get("registered_name") or class_name)
           or custom_objects.get(class_name) or _BUILT_IN.get(str(class_name).lower()))
    if cls is None:
        raise unknown_name_error("optimizer", class_name, _BUILT_IN)
    return cls.from_config(dict(config.get("config") or {}), custom_objects=custom_objects)


def get(identifier) -> Optimizer | None:
    """An optimizer from a name ('adam'), a config dict, or an instance (returned as is).

    Example:
        >>> type(get("rmsprop")).__name__
        'RMSprop'
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BUILT_IN.get(identifier.lower())
        if cls is None:
            raise unknown_name_error("optimizer", identifier, _BUILT_IN)
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        raise ValueError(f"Could not interpret optimizer identifier: {identifier}. Pass an "
                         f"instance, e.g. `optimizer={identifier.__name__}()`, or a name such "
                         f"as '{identifier.__name__.lower()}'.")
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected a "
                     "name such as 'adam', a config dict, or an Optimizer instance.")
