"""Weight regularizers with Keras 3 names, defaults, formulas and config dicts.

A regularizer maps a weight tensor to a 0-dim penalty tensor on the weight's device
(no host synchronisation), which the engine adds to the training loss.

Example:
    >>> import torch, lamina as keras
    >>> keras.regularizers.L2(0.5)(torch.ones(2, 2))
    tensor(2.)
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.saving.object_registration import get_registered_name, visible_custom_objects
from lamina.saving.serialization_lib import deserialize_function, serialize_function
from lamina.utils.errors import unknown_name_error

__all__ = [
    "Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer",
    "l1", "l2", "l1_l2", "l1l2", "orthogonal_regularizer", "get", "serialize", "deserialize",
]


def _validate_factor(value, name: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or math.isnan(value) or math.isinf(value) or value < 0):
        raise ValueError(f"Invalid value for argument `{name}`: expected a non-negative float, "
                         f"but received {name}={value!r}.")
    return float(value)


def _as_weight(weight) -> torch.Tensor:
    """The weight as a float tensor: NumPy arrays and lists are accepted, as in Keras."""
    if isinstance(weight, torch.Tensor):
        return weight
    tensor = backend.to_tensor(weight)
    if not tensor.is_floating_point():
        tensor = tensor.to(backend.torch_dtype(backend.floatx()))
    return tensor


class Regularizer:
    """Base class: `regularizer(weight)` returns a 0-dim penalty tensor.

    Example:
        >>> class Sum(Regularizer):
        ...     def __call__(self, weight):
        ...         return weight.sum()
        >>> Sum()(torch.ones(3))
        tensor(3.)
    """

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        """The penalty for `weight` (0 for the base class)."""
        weight = _as_weight(weight)
        return torch.zeros((), dtype=weight.dtype, device=weight.device)

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-friendly dict."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config().")

    @classmethod
    def from_config(cls, config: Mapping) -> Regularizer:
        """Creates a regularizer from the output of `get_config()`."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """Penalty `l1 * sum(|w|) + l2 * sum(w**2)`.

    Args:
        l1: L1 factor (non-negative; None means 0).
        l2: L2 factor (non-negative; None means 0).

    Example:
        >>> L1L2(l1=0.5, l2=0.5)(torch.tensor([2.0]))
        tensor(3.)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _validate_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _validate_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        weight = _as_weight(weight)
        penalty = torch.zeros((), dtype=weight.dtype, device=weight.device)
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(weight))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(weight))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """Penalty `l1 * sum(|w|)`.

    Args:
        l1: L1 factor (non-negative; None means 0.01).

    Example:
        >>> L1(0.5)(torch.tensor([-2.0, 2.0]))
        tensor(2.)
    """

    def __init__(self, l1: float = 0.01):
        self.l1 = _validate_factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        return self.l1 * torch.sum(torch.abs(_as_weight(weight)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """Penalty `l2 * sum(w**2)` (no factor 1/2).

    Args:
        l2: L2 factor (non-negative; None means 0.01).

    Example:
        >>> L2(0.5)(torch.tensor([-2.0, 2.0]))
        tensor(4.)
    """

    def __init__(self, l2: float = 0.01):
        self.l2 = _validate_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        return self.l2 * torch.sum(torch.square(_as_weight(weight)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Penalty pushing the rows (or columns) of a 2-D weight towards orthogonality.

    `factor * mean over pairs i<j of |<u_i, u_j>|`, the `u` being the L2-normalised rows
    (`mode='rows'`) or columns (`mode='columns'`).

    Args:
        factor: Non-negative factor.
        mode: 'rows' or 'columns'.

    Example:
        >>> OrthogonalRegularizer(1.0)(torch.eye(3))
        tensor(0.)
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _validate_factor(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(f"Invalid value for argument `mode`: expected 'rows' or 'columns', "
                             f"but received mode={mode!r}.")
        self.mode = mode

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        weight = _as_weight(weight)
        if weight.ndim != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2, but received "
                             f"shape {tuple(weight.shape)}.")
        vectors = weight if self.mode == "rows" else weight.T
        vectors = F.normalize(vectors, dim=1, eps=backend.epsilon())
        size = vectors.shape[0]
        if size < 2:
            return torch.zeros((), dtype=weight.dtype, device=weight.device)
        products = vectors @ vectors.T
        off_diagonal = torch.sum(torch.abs(products.fill_diagonal_(0.0)))
        num_pairs = size * (size - 1) / 2.0
        return self.factor * 0.5 * off_diagonal / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An `L1L2` regularizer with both factors defaulting to 0.01 (TF-2 Keras' function).

    Keras 3's `l1_l2` is the `L1L2` class (defaults 0.0); books written for TF-2 call
    `regularizers.l1_l2()` expecting 0.01, which is what this gives.

    Example:
        >>> l1_l2()
        L1L2(l1=0.01, l2=0.01)
    """
    return L1L2(l1=l1, l2=l2)


_CLASSES = (L1, L2, L1L2, OrthogonalRegularizer)
_BY_NAME: dict = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": l1_l2,
                 "orthogonal_regularizer": OrthogonalRegularizer})


def get(identifier):
    """Resolves a regularizer identifier.

    Args:
        identifier: None, a name ('l1', 'l2' and 'l1_l2' use 0.01), a `Regularizer`
            instance or class, a Keras config dict, or any callable `fn(weight)`.

    Returns:
        A regularizer (or None for None).

    Example:
        >>> get("l2")
        L2(l2=0.01)
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, (str, Mapping)):
        return deserialize(identifier)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    hint = (f" For a penalty of that strength, pass e.g. keras.regularizers.l2({identifier!r})."
            if isinstance(identifier, (int, float)) and not isinstance(identifier, bool) else "")
    raise ValueError(f"Could not interpret regularizer identifier: expected a name such as "
                     f"'l2', a Regularizer, a config dict or a callable, but received "
                     f"{identifier!r} (type {type(identifier).__name__}).{hint}")


def serialize(regularizer) -> dict | None:
    """Keras' config dict of a regularizer (None for None, a function dict for functions).

    Example:
        >>> serialize(L2())
        {'module': 'keras.regularizers', 'class_name': 'L2', 'config': {'l2': 0.01}, 'registered_name': None}
    """
    if regularizer is None:
        return None
    if not isinstance(regularizer, Regularizer):
        return serialize_function(regularizer, "regularizer", "a Regularizer")
    cls = type(regularizer)
    builtin = cls in _CLASSES
    return {"module": "keras.regularizers" if builtin else cls.__module__,
            "class_name": cls.__name__, "config": regularizer.get_config(),
            "registered_name": None if builtin else get_registered_name(cls)}


def deserialize(config, custom_objects: Mapping | None = None) -> Regularizer:
    """Inverse of `serialize`: a name or Keras config dict -> a new regularizer.

    Args:
        config: A name, or a dict with 'class_name' and optional 'config'.
        custom_objects: optional mapping of names to user classes.

    Returns:
        A new regularizer.

    Example:
        >>> deserialize({"class_name": "L1", "config": {"l1": 0.1}})
        L1(l1=0.1)
    """
    if isinstance(config, str):
        class_name, arguments = config, {}
    elif isinstance(config, Mapping) and "class_name" in config:
        class_name, arguments = config["class_name"], config.get("config") or {}
    else:
        raise ValueError(f"Could not deserialize regularizer: expected a name or a dict with a "
                         f"'class_name' key, but received {config!r}.")
    custom_objects = visible_custom_objects(dict(custom_objects or {}))
    registered = config.get("registered_name") if isinstance(config, Mapping) else None
    if class_name in ("function", "__lambda__"):
        return deserialize_function(config, custom_objects, "regularizer")
    if registered in custom_objects or class_name in custom_objects:
        cls = custom_objects.get(registered) or custom_objects[class_name]
        return cls.from_config(dict(arguments))
    factory = _BY_NAME.get(class_name)
    if factory is None:
        raise unknown_name_error("regularizer", class_name, _BY_NAME)
    if factory is l1_l2:
        return l1_l2(**arguments)
    return factory.from_config(dict(arguments))
