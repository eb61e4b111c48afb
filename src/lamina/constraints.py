"""Weight constraints: projections applied to a weight after each optimizer update.

Example:
    >>> layer = lamina.layers.Dense(4, kernel_constraint=lamina.constraints.NonNeg())
"""
from __future__ import annotations

import torch

from lamina.utils.errors import unknown_name_error

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "get", "serialize",
           "deserialize"]


class Constraint:
    """Base class: `constraint(w)` returns the projected weight."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Constraint":
        return cls(**config)


class NonNeg(Constraint):
    """Clips weights at zero from below."""

    def __call__(self, w):
        return w.clamp_min(0)


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value`."""

    def __init__(self, max_value: float = 2.0, axis: int = 0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = w.norm(dim=self.axis, keepdim=True)
        return w * norms.clamp(0, self.max_value) / (norms + 1e-7)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Scales weights to unit norm along `axis`."""

    def __init__(self, axis: int = 0):
        self.axis = axis

    def __call__(self, w):
        return w / (w.norm(dim=self.axis, keepdim=True) + 1e-7)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps the norm along `axis` within [min_value, max_value], moving by `rate`."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: int = 0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = w.norm(dim=self.axis, keepdim=True)
        desired = self.rate * norms.clamp(self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * desired / (norms + 1e-7)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


_BY_NAME = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
            "unit_norm": UnitNorm, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm,
            "NonNeg": NonNeg, "UnitNorm": UnitNorm}


def get(identifier):
    """A constraint from a name, config dict, instance or callable (None stays None)."""
    if identifier is None or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise unknown_name_error("constraint", identifier, _BY_NAME)
        return _BY_NAME[identifier]()
    raise TypeError(f"Could not interpret constraint identifier: {identifier!r}")


def serialize(constraint):
    if constraint is None:
        return None
    return {"module": "keras.constraints", "class_name": type(constraint).__name__,
            "config": constraint.get_config(), "registered_name": None}


def deserialize(config: dict) -> Constraint:
    name = config["class_name"]
    if name not in _BY_NAME:
        raise unknown_name_error("constraint", name, _BY_NAME)
    return _BY_NAME[name].from_config(config.get("config", {}))
