"""Lists and dicts of layers kept as a layer's attributes, tracked as Keras tracks them.

Keras finds the layers in `self.main_layers = [Conv2D(...), BatchNormalization(),
activations.relu]`, in lists filled later (`self.blocks = []; self.blocks.append(Dense(3))`)
and in dicts; their weights train and save. PyTorch sees a module only as an attribute or
inside a ModuleList/ModuleDict. So a layer keeps the user's container as it is — a
`TrackedList` / `TrackedDict`, still a list / dict — and registers beside it, under the same
attribute name, a `ModuleDict` of the modules inside, refreshed whenever the container changes.

Example:
    >>> layer = lamina.layers.Layer()
    >>> layer.blocks = [lamina.layers.Dense(2), len]
    >>> layer.blocks.append(lamina.layers.Dense(3))
    >>> list(layer._modules["blocks"])
    ['0', '2']
    >>> isinstance(layer.blocks, list)
    True
"""
from __future__ import annotations

from torch import nn

__all__ = ["TrackedDict", "TrackedList", "holds_modules", "track"]


def holds_modules(value) -> bool:
    """Whether a list, tuple or dict (nested or not) holds an `nn.Module`."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return any(isinstance(item, nn.Module) or holds_modules(item) for item in value)
    return False


def track(owner: nn.Module, name: str, value):
    """`value` as a tracked container of `owner.<name>`, with its modules registered on
    `owner` (a tuple stays a tuple: it cannot change)."""
    if isinstance(value, dict) and not isinstance(value, TrackedDict):
        value = TrackedDict(value)
    elif isinstance(value, list) and not isinstance(value, TrackedList):
        value = TrackedList(value)
    if isinstance(value, (TrackedList, TrackedDict)):
        value._owner, value._attribute = owner, name
    _register(owner, name, value)
    return value


def _register(owner: nn.Module, name: str, container) -> None:
    modules = nn.ModuleDict(dict(_modules_in(container)))
    if len(modules):
        owner._modules[name] = modules
    else:
        owner._modules.pop(name, None)


def _modules_in(container, prefix: str = ""):
    """(key, module) pairs, keys the item's place (`'2'`, `'head'`, nested `'1_0'`)."""
    items = container.items() if isinstance(container, dict) else enumerate(container)
    for key, item in items:
        place = f"{prefix}{str(key).replace('.', '_')}"
        if isinstance(item, nn.Module):
            yield place, item
        elif isinstance(item, (list, tuple, dict)):
            yield from _modules_in(item, f"{place}_")


class _Tracked:
    """What a tracked container does after each change: re-register its owner's modules."""

    _owner: nn.Module | None = None
    _attribute: str = ""

    def _changed(self) -> None:
        owner = self._owner
        if owner is not None and owner.__dict__.get(self._attribute) is self:
            _register(owner, self._attribute, self)


def _after(method_name: str, base: type):
    method = getattr(base, method_name)

    def changed(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        self._changed()
        return result

    changed.__name__ = method_name
    return changed


class TrackedList(_Tracked, list):
    """A list whose layers its owner tracks (Keras' `TrackedList`)."""


class TrackedDict(_Tracked, dict):
    """A dict whose layers its owner tracks (Keras' `TrackedDict`)."""


_CHANGING_METHODS = {
    TrackedList: (list, ("append", "extend", "insert", "remove", "pop", "clear", "sort",
                         "reverse", "__setitem__", "__delitem__", "__iadd__", "__imul__")),
    TrackedDict: (dict, ("update", "pop", "popitem", "clear", "setdefault", "__setitem__",
                         "__delitem__", "__ior__")),
}
for _cls, (_base, _names) in _CHANGING_METHODS.items():
    for _name in _names:
        setattr(_cls, _name, _after(_name, _base))
