"""Keras' top-level scopes: `name_scope` (a prefix for weight paths), `StatelessScope` (state
changes kept out of the variables) and `SymbolicScope`.

Example:
    >>> with name_scope("encoder"):
    ...     layer = lamina.layers.Dense(2, name="projection")
    ...     layer.build((None, 3))
    >>> layer.kernel.path
    'encoder/projection/kernel'
"""
from __future__ import annotations

import threading

import numpy as np
import torch

__all__ = ["name_scope", "StatelessScope", "SymbolicScope", "in_stateless_scope",
           "get_stateless_scope", "in_symbolic_scope"]

_local = threading.local()


def _stack(kind: str) -> list:
    stack = getattr(_local, kind, None)
    if stack is None:
        stack = []
        setattr(_local, kind, stack)
    return stack


class name_scope:
    """Within the block, layers that build (and weights made) get `name/` before their path.

    Scopes nest (`outer/inner/dense/kernel`). A layer's path is fixed when it first builds,
    so a layer created in the scope but built after it is not prefixed (as in Keras).

    Args:
        name: The scope's name (a string without '/').
        caller: Accepted for Keras code (the object opening the scope).
        deduplicate: Accepted for Keras code.
        override_parent: A path that replaces the enclosing scopes' path.

    Example:
        >>> with name_scope("outer"), name_scope("inner"):
        ...     layer = lamina.layers.Dense(1, name="head")
        ...     layer.build((None, 2))
        >>> layer.bias.path
        'outer/inner/head/bias'
    """

    def __init__(self, name: str, caller=None, deduplicate: bool = True,
                 override_parent: str | None = None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._scope = None

    def __enter__(self) -> name_scope:
        from lamina.layers.weight_paths import path_scope  # the layers sit above utils

        # The weight-path stack keys its entries by an object with a `name` and a fixed parent.
        self.__dict__.pop("_parent_path", None)
        if self.override_parent is not None:
            self.__dict__["_parent_path"] = self.override_parent.strip("/")
        self._scope = path_scope(self)
        self._scope.__enter__()
        return self

    def __exit__(self, *exc_info) -> bool:
        self._scope.__exit__(*exc_info)
        self._scope = None
        return False


class StatelessScope:
    """Within the block, the variables in `state_mapping` hold the given values; on exit they
    get their own values back, and `get_current_value` tells what they held at the end.

    Args:
        state_mapping: Pairs `(variable, value)`.
        collect_losses: Collect the losses `add_loss` receives in `losses`.
        initialize_variables: Accepted for Keras code.

    Example:
        >>> v = lamina.Variable(np.ones(2))
        >>> with StatelessScope(state_mapping=[(v, np.zeros(2))]) as scope:
        ...     _ = v.assign_add(np.full(2, 5.0))
        >>> v.numpy().tolist(), scope.get_current_value(v).tolist()
        ([1.0, 1.0], [5.0, 5.0])
    """

    def __init__(self, state_mapping=None, collect_losses: bool = False,
                 initialize_variables: bool = True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses: list = []
        self._mapping = [(variable, value) for variable, value in (state_mapping or [])]
        self._saved: dict[int, tuple] = {}
        self._values: dict[int, torch.Tensor] = {}

    def __enter__(self) -> StatelessScope:
        with torch.no_grad():
            for variable, value in self._mapping:
                self._saved[id(variable)] = (variable, variable.detach().clone())
                variable.copy_(torch.as_tensor(np.asarray(value) if not isinstance(
                    value, torch.Tensor) else value, dtype=variable.dtype))
        _stack("stateless").append(self)
        return self

    def __exit__(self, *exc_info) -> bool:
        _stack("stateless").pop()
        with torch.no_grad():
            for key, (variable, original) in self._saved.items():
                self._values.setdefault(key, variable.detach().clone())
                variable.copy_(original)
        self._saved.clear()
        return False

    def add_update(self, variable, value) -> None:
        """Records `value` as the variable's value in this scope (the variable is unchanged)."""
        self._values[id(variable)] = torch.as_tensor(value)

    def add_loss(self, loss) -> None:
        """Keeps `loss` in `losses` when the scope collects losses."""
        if self.collect_losses:
            self.losses.append(loss)

    def get_current_value(self, variable):
        """The variable's value in this scope, or None if the scope does not track it."""
        key = id(variable)
        if key in self._values:
            return self._values[key]
        if key in self._saved:
            return variable.detach().clone()
        return None


class SymbolicScope:
    """Marks a block as building a graph (Keras' symbolic tracing); `in_symbolic_scope()` says so.

    Example:
        >>> with SymbolicScope():
        ...     in_symbolic_scope()
        True
    """

    def __enter__(self) -> SymbolicScope:
        _stack("symbolic").append(self)
        return self

    def __exit__(self, *exc_info) -> bool:
        _stack("symbolic").pop()
        return False


def in_stateless_scope() -> bool:
    return bool(_stack("stateless"))


def get_stateless_scope() -> StatelessScope | None:
    stack = _stack("stateless")
    return stack[-1] if stack else None


def in_symbolic_scope() -> bool:
    return bool(_stack("symbolic"))
