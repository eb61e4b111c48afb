"""The registry of custom objects: names under which loading finds the user's classes and functions.

It imports nothing from lamina, so every module that registers or looks objects up (layers,
losses, models, saving) can depend on it (DESIGN.md §12).

Example:
    >>> @register_keras_serializable(package="demo")
    ... def double(x):
    ...     return 2 * x
    >>> get_registered_name(double)
    'demo>double'
    >>> get_registered_object("demo>double") is double
    True
"""
from __future__ import annotations

import inspect
import threading

__all__ = ["CustomObjectScope", "custom_object_scope", "get_custom_objects",
           "get_registered_name", "get_registered_object", "register_keras_serializable",
           "visible_custom_objects"]

GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
GLOBAL_CUSTOM_NAMES: dict[object, str] = {}
_scopes = threading.local()


class CustomObjectScope:
    """Makes custom classes and functions visible to deserialization inside a `with` block.

    Args:
        custom_objects: a dict `{name: class or function}` (several dicts may be given).

    Example:
        >>> def my_activation(x):
        ...     return x
        >>> with custom_object_scope({"my_activation": my_activation}):
        ...     get_registered_object("my_activation") is my_activation
        True
        >>> get_registered_object("my_activation") is None
        True
    """

    def __init__(self, *custom_objects: dict | None):
        self.custom_objects: dict = {}
        for objects in custom_objects:
            if objects is not None and not isinstance(objects, dict):
                raise TypeError(f"Argument `custom_objects` must be a dict of names to classes or "
                                f"functions, but received {objects!r} of type "
                                f"{type(objects).__name__}.")
            self.custom_objects.update(objects or {})
        self._backup = None

    def __enter__(self) -> CustomObjectScope:
        self._backup = _scope_dict()
        _scopes.objects = {**self._backup, **self.custom_objects}
        return self

    def __exit__(self, *exc_info) -> None:
        _scopes.objects = self._backup


custom_object_scope = CustomObjectScope


def _scope_dict() -> dict:
    return getattr(_scopes, "objects", {})


def get_custom_objects() -> dict:
    """The live global dict of registered objects, `{"package>name": object}`.

    Example:
        >>> isinstance(get_custom_objects(), dict)
        True
    """
    return GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator: registers a class or function under `"package>name"` for loading by name.

    Args:
        package: the first part of the registered name (default "Custom").
        name: the second part (default: the class' or function's own name).

    Raises:
        ValueError: when decorating a class without a `get_config` method.

    Example:
        >>> @register_keras_serializable(package="my_package")
        ... class Scale(lamina.layers.Layer):
        ...     pass
        >>> get_registered_name(Scale)
        'my_package>Scale'
    """
    def decorator(arg):
        registered_name = f"{package}>{name if name is not None else arg.__name__}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError(f"Cannot register class {arg.__name__!r}: it has no get_config() "
                             f"method, so it could not be saved. Subclass a lamina Layer, Loss, "
                             f"Metric, ... or define get_config().")
        GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        GLOBAL_CUSTOM_NAMES[arg] = registered_name
        # Read by modules that keep a function's name in their own configs (Lambda, text options).
        arg._registered_name = registered_name
        return arg

    return decorator


def get_registered_name(obj) -> str:
    """The name `obj` is registered under, else its own `__name__`.

    Example:
        >>> get_registered_name(len)
        'len'
    """
    return GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


def get_registered_object(name, custom_objects: dict | None = None,
                          module_objects: dict | None = None):
    """The object registered or given under `name`, else None.

    Looks in the active `custom_object_scope`, the global registry, `custom_objects`, then
    `module_objects`, as Keras does.

    Example:
        >>> get_registered_object("no>such_thing") is None
        True
    """
    if not isinstance(name, str):
        return None
    for objects in (_scope_dict(), GLOBAL_CUSTOM_OBJECTS, custom_objects, module_objects):
        if objects and name in objects:
            return objects[name]
    return None


def visible_custom_objects(custom_objects: dict | None = None) -> dict:
    """Every name deserialization may resolve now: the registry, the active scope, `custom_objects`.

    Later sources win, so an explicit `custom_objects` entry overrides a registered one.

    Example:
        >>> marker = object()
        >>> visible_custom_objects({"thing": marker})["thing"] is marker
        True
    """
    return {**GLOBAL_CUSTOM_OBJECTS, **_scope_dict(), **(custom_objects or {})}
