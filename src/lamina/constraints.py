"""Weight constraints: projections applied to a weight after each optimizer update.

Keras' lower-case names are the same classes: `max_norm(2.0)` is `MaxNorm(2.0)`.

Example:
    >>> layer = lamina.layers.Dense(4, kernel_constraint=lamina.constraints.max_norm(2.0))
"""
from __future__ import annotations

from collections.abc import Mapping

import torch

from lamina import backend
from lamina.utils.errors import unknown_name_error

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm",
           "min_max_norm", "non_neg", "unit_norm", "get", "serialize", "deserialize"]


def _as_weight(w) -> torch.Tensor:
    """The weight as a float tensor: NumPy arrays and lists are accepted, as in Keras."""
    if isinstance(w, torch.Tensor):
        return w
    tensor = backend.to_tensor(w)
    if not tensor.is_floating_point():
        tensor = tensor.to(backend.torch_dtype(backend.floatx()))
    return tensor


class Constraint:
    """Base class: `constraint(w)` returns the projected weight.

    Example:
        >>> class Clip(Constraint):
        ...     def __call__(self, w):
        ...         return w.clamp(-1, 1)
        >>> Clip()(torch.tensor([-3.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)


class NonNeg(Constraint):
    """Clips weights at zero from below.

    Example:
        >>> NonNeg()(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __call__(self, w):
        return _as_weight(w).clamp_min(0)


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value`.

    Example:
        >>> MaxNorm(1.0)(torch.tensor([[3.0], [4.0]]))
        tensor([[0.6000],
                [0.8000]])
    """

    def __init__(self, max_value: float = 2.0, axis: int = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _as_weight(w)
        norms = w.norm(dim=self.axis, keepdim=True)
        return w * norms.clamp(0, self.max_value) / (norms + 1e-7)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Scales weights to unit norm along `axis`.

    Example:
        >>> UnitNorm()(torch.tensor([[3.0], [4.0]]))
        tensor([[0.6000],
                [0.8000]])
    """

    def __init__(self, axis: int = 0):
        self.axis = axis

    def __call__(self, w):
        w = _as_weight(w)
        return w / (w.norm(dim=self.axis, keepdim=True) + 1e-7)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the norm along `axis` within [min_value, max_value], moving by `rate`.

    Example:
        >>> MinMaxNorm(min_value=1.0, max_value=2.0)(torch.tensor([[0.3], [0.4]]))
        tensor([[0.6000],
                [0.8000]])
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int = 0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = _as_weight(w)
        norms = w.norm(dim=self.axis, keepdim=True)
        desired = self.rate * norms.clamp(self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * desired / (norms + 1e-7)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras' lower-case names (`keras.constraints.max_norm`) are the classes themselves.
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
_BY_NAME = {**{cls.__name__: cls for cls in _CLASSES},
            "constraint": Constraint, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm,
            "non_neg": NonNeg, "unit_norm": UnitNorm}


def get(identifier):
    """A constraint from a name, config dict, instance, class or callable (None stays None).

    Example:
        >>> get("max_norm").get_config()
        {'max_value': 2.0, 'axis': 0}
    """
    if identifier is None or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise unknown_name_error("constraint", identifier, _BY_NAME)
        return _BY_NAME[identifier]()
    raise ValueError(f"Could not interpret constraint identifier: expected None, a name such as "
                     f"'max_norm', a Constraint, a config dict or a callable, but received "
                     f"{identifier!r} (type {type(identifier).__name__}).")


def serialize(constraint) -> dict | None:
    """Keras' config dict of a constraint (a function is saved by name, never as code).

    Example:
        >>> serialize(max_norm(3.0))["config"]
        {'max_value': 3.0, 'axis': 0}
    """
    if constraint is None:
        return None
    cls = type(constraint)
    if not isinstance(constraint, Constraint):
        from lamina import activations

        return activations.serialize(constraint)
    registered_name = None if cls in _CLASSES else getattr(cls, "_registered_name", cls.__name__)
    return {"module": "keras.constraints" if registered_name is None else cls.__module__,
            "class_name": cls.__name__, "config": constraint.get_config(),
            "registered_name": registered_name}


def deserialize(config, custom_objects: Mapping | None = None) -> Constraint:
    """Inverse of `serialize`: a name or config dict -> a new constraint.

    Args:
        config: a name ('max_norm') or a dict with 'class_name' and 'config'.
        custom_objects: names mapped to user constraint classes or functions.

    Example:
        >>> deserialize({"class_name": "MaxNorm", "config": {"max_value": 3.0}}).max_value
        3.0
    """
    from lamina.saving import get_registered_object
    from lamina.saving.serialization_lib import deserialize_function

    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    name = config["class_name"]
    if name in ("function", "__lambda__"):
        return deserialize_function(config, dict(custom_objects or {}), "constraint")
    cls = (get_registered_object(config.get("registered_name") or name, dict(custom_objects or {}))
           or _BY_NAME.get(name))
    if cls is None and config.get("registered_name"):
        raise ValueError(f"Cannot load the custom constraint class {name!r}: pass it as "
                         f"custom_objects={{{name!r}: {name}}} or decorate it with "
                         f"`@keras.saving.register_keras_serializable()`.")
    if cls is None:
        raise unknown_name_error("constraint", name, list(_BY_NAME) + list(custom_objects or {}))
    return cls.from_config(dict(config.get("config") or {}))
