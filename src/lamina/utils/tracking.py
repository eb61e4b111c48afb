"""Lists, tuples and dicts of layers kept as a layer's attributes, tracked as Keras tracks them.

Keras finds the layers in `self.main_layers = [Conv2D(...), BatchNormalization(),
activations.relu]`, in lists filled later (`self.blocks = []; self.blocks.append(Dense(3))`)
and in dicts; their weights train and save. PyTorch sees a module only as an attribute or
inside a ModuleList/ModuleDict. So a layer keeps the user's list or dict as a `TrackedList` /
`TrackedDict`: still a list / dict, and also an `nn.Module` whose submodules are the modules
inside, refreshed whenever the container changes. It is registered under its own attribute
name, so `getattr(layer, "blocks")` and `layer._modules["blocks"]` are one object, as
`torch.export`, `get_submodule` and `torch.func.functional_call` expect of every path in
`named_modules()`. A tuple stays a tuple (a tuple subclass cannot be weakly referenced, as
torch needs of a module): a `ModuleDict` of its modules is registered beside it, which
torch's state_dict sees but getattr does not.

Example:
    >>> layer = lamina.layers.Layer()
    >>> layer.blocks = [lamina.layers.Dense(2), len]
    >>> layer.blocks.append(lamina.layers.Dense(3))
    >>> list(layer.blocks._modules)
    ['0', '2']
    >>> isinstance(layer.blocks, list), layer._modules["blocks"] is layer.blocks
    (True, True)
"""
from __future__ import annotations

import operator

from torch import nn
from torch.compiler import is_compiling

__all__ = ["TrackedDict", "TrackedList", "holds_modules", "track"]


def holds_modules(value) -> bool:
    """Whether a list, tuple or dict (nested or not) holds an `nn.Module`."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return any(isinstance(item, nn.Module) or holds_modules(item) for item in value)
    return False


def track(owner: nn.Module, name: str, value):
    """`value` as a tracked container of `owner.<name>`, registered on `owner` while it holds
    modules (a tuple stays a tuple: it cannot change)."""
    if isinstance(value, dict) and not isinstance(value, TrackedDict):
        value = TrackedDict(value)
    elif isinstance(value, list) and not isinstance(value, TrackedList):
        value = TrackedList(value)
    if isinstance(value, _Tracked):
        # Past nn.Module.__setattr__, which would make the owner a submodule of its list.
        object.__setattr__(value, "_owner", owner)
        object.__setattr__(value, "_attribute", name)
        value._refresh()
    _register(owner, name, value)
    return value


def _register(owner: nn.Module, name: str, container) -> None:
    if not isinstance(container, _Tracked):  # a tuple
        container = nn.ModuleDict(dict(_modules_in(container)))
    if len(container._modules):
        owner._modules[name] = container
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


class _Tracked(nn.Module):
    """What the tracked containers share: their modules as submodules, refreshed on change.

    They hash by identity (torch keeps modules in sets) and compare as lists and dicts.
    Under `torch.compile`, reads go through `_items`, a plain copy of the contents: dynamo
    traces a plain list or dict, not the built-in methods of a module that is also one.
    """

    _owner: nn.Module | None = None
    _attribute: str = ""
    __hash__ = object.__hash__

    def _refresh(self) -> None:
        """Re-registers the modules inside as this container's submodules."""
        if "_modules" not in self.__dict__:  # being unpickled: the state comes next
            return
        contents = self._contents()
        modules = self.__dict__["_modules"] = {}  # a new dict: a shallow copy keeps the old one
        for key, module in _modules_in(contents):
            modules[_free_key(self, key)] = module
        self.__dict__["_items"] = contents

    def _changed(self) -> None:
        self._refresh()
        owner = self._owner
        if owner is not None and owner.__dict__.get(self._attribute) is self:
            _register(owner, self._attribute, self)


def _free_key(container: _Tracked, key: str) -> str:
    # A key naming an attribute (a dict's 'items', a module's 'training') would be shadowed
    # by it for getattr, through which torch finds submodules.
    while (not key or key in container._modules or hasattr(type(container), key)
           or key in container.__dict__):
        key = f"{key}_"
    return key


class TrackedList(list, _Tracked):
    """A list whose layers its owner tracks (Keras' `TrackedList`), and an `nn.Module`."""

    __hash__ = _Tracked.__hash__

    def __init__(self, values=()):
        list.__init__(self, values)
        _Tracked.__init__(self)

    def _contents(self) -> list:
        return list.copy(self)


class TrackedDict(dict, _Tracked):
    """A dict whose layers its owner tracks (Keras' `TrackedDict`), and an `nn.Module`."""

    __hash__ = _Tracked.__hash__

    def __init__(self, values=()):
        dict.__init__(self, values)
        _Tracked.__init__(self)

    def _contents(self) -> dict:
        return dict.copy(self)


def _after(method_name: str, base: type):
    method = getattr(base, method_name)

    def changed(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        self._changed()
        return result

    changed.__name__ = method_name
    return changed


# How a read is done on the plain copy: dynamo traces these on a list or dict.
_PLAIN_READS = {"__iter__": iter, "__getitem__": operator.getitem, "__len__": len,
                "__contains__": operator.contains, "__reversed__": reversed}


def _reading(method_name: str, base: type):
    method = getattr(base, method_name)
    plain = _PLAIN_READS.get(method_name)

    def read(self, *args, **kwargs):
        if is_compiling():
            if plain is not None:
                return plain(self._items, *args)
            return getattr(self._items, method_name)(*args, **kwargs)
        return method(self, *args, **kwargs)

    read.__name__ = method_name
    return read


_CHANGING_METHODS = {
    TrackedList: (list, ("append", "extend", "insert", "remove", "pop", "clear", "sort",
                         "reverse", "__setitem__", "__delitem__", "__iadd__", "__imul__")),
    TrackedDict: (dict, ("update", "pop", "popitem", "clear", "setdefault", "__setitem__",
                         "__delitem__", "__ior__")),
}
_READING_METHODS = {
    TrackedList: (list, ("__iter__", "__getitem__", "__len__", "__contains__", "__reversed__",
                         "index", "count")),
    TrackedDict: (dict, ("__iter__", "__getitem__", "__len__", "__contains__", "__reversed__",
                         "get", "keys", "values", "items")),
}
for _methods, _wrap in ((_CHANGING_METHODS, _after), (_READING_METHODS, _reading)):
    for _cls, (_base, _names) in _methods.items():
        for _name in _names:
            setattr(_cls, _name, _wrap(_name, _base))
