"""Keras 3's serialized form of objects: `{"module", "class_name", "config", "registered_name"}`.

Loading never imports a module named in a config and never executes code from it: a class
is found by name among lamina's own public classes (a Keras module name such as
"keras.layers" or "keras.src.layers.core.dense" picks the family) or among the objects
registered with `register_keras_serializable` or passed as `custom_objects`. A Python
lambda (stored by Keras as bytecode) is loaded only with `safe_mode=False`.

Example:
    >>> config = serialize_keras_object(lamina.layers.Dense(3))
    >>> config["module"], config["class_name"]
    ('keras.layers', 'Dense')
    >>> deserialize_keras_object(config).units
    3
"""
from __future__ import annotations

import base64
import binascii
import inspect
import marshal
import threading
import types
import warnings

import numpy as np
import torch

from lamina.saving import object_registration
from lamina.utils.errors import did_you_mean

__all__ = ["SafeModeScope", "deserialize_keras_object", "in_safe_mode", "serialize_function",
           "serialize_keras_object"]

PLAIN_TYPES = (str, int, float, bool)
# Keras' module families whose public classes lamina mirrors, by the module's first part.
_FAMILIES = ("layers", "models", "optimizers", "losses", "metrics", "initializers",
             "regularizers", "constraints", "activations", "dtype_policies", "utils")
_LAMBDA_REFUSED = (
    "Requested the deserialization of a Python lambda{what}. Keras stores a lambda as Python "
    "bytecode, and running it could execute arbitrary code, so lamina refuses it by default. "
    "If you trust the source of the file, pass `safe_mode=False` to the loading function "
    "(`load_model(path, safe_mode=False)`) or call "
    "`lamina.config.enable_unsafe_deserialization()`; better, rewrite it as a named function "
    "and pass it in `custom_objects`.")
_safe_mode = threading.local()


class SafeModeScope:
    """Sets the safe mode seen by nested deserialization (Lambda layers read it).

    Example:
        >>> with SafeModeScope(False):
        ...     in_safe_mode()
        False
    """

    def __init__(self, safe_mode: bool = True):
        self.safe_mode = safe_mode
        self._backup = None

    def __enter__(self) -> SafeModeScope:
        self._backup = getattr(_safe_mode, "value", None)
        _safe_mode.value = self.safe_mode
        return self

    def __exit__(self, *exc_info) -> None:
        _safe_mode.value = self._backup


def in_safe_mode() -> bool | None:
    """False when unsafe loading was enabled globally, else the active scope's mode (None: none)."""
    from lamina import config

    if config.is_unsafe_deserialization_enabled():
        return False
    return getattr(_safe_mode, "value", None)


# ---------------------------------------------------------------------------------- serialize
def serialize_keras_object(obj):
    """Keras' config of `obj`: plain values as they are, objects as class dicts.

    Layers and models also carry `build_config` (and models `compile_config`), so the
    object can be rebuilt with its weights' shapes before the weights are loaded.

    Example:
        >>> serialize_keras_object(lamina.optimizers.SGD(0.1))["class_name"]
        'SGD'
    """
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return serialize_dict(obj)
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, torch.Tensor):
        return {"class_name": "__tensor__", "config": {
            "value": obj.detach().cpu().tolist(), "dtype": str(obj.dtype).replace("torch.", "")}}
    if isinstance(obj, (np.ndarray, np.generic)):
        if isinstance(obj, np.ndarray) and obj.ndim > 0:
            return {"class_name": "__numpy__",
                    "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
        return obj.item()
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        warnings.warn("The object being serialized includes a `lambda`: reloading it needs "
                      "`safe_mode=False`. Use a named function instead.", stacklevel=2)
        return {"class_name": "__lambda__", "config": {"value": func_dump(obj)}}
    if not isinstance(obj, type) and hasattr(obj, "get_config"):
        inner = _object_config(obj)
        if hasattr(obj, "get_build_config"):
            # Keras 3 refuses `batch_input_shape` in a layer's config: the shape lives in the
            # model's InputLayer and in the layer's `build_config`.
            inner.pop("batch_input_shape", None)
        config = _class_config(type(obj), inner)
        _add_build_and_compile_config(obj, config)
        return config
    if callable(obj):
        return _function_config(obj)
    raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj).__name__}: to be "
                    f"serializable, a class must implement `get_config()`.")


def serialize_dict(obj: dict) -> dict:
    return {key: serialize_keras_object(value) for key, value in obj.items()}


def serialize_function(fn, kind: str, expected: str) -> dict:
    """Keras' dict for a plain function used as an initializer, regularizer, ...

    Raises:
        TypeError: `fn` is not a named callable.

    Example:
        >>> serialize_function(len, "initializer", "an Initializer")["config"]
        'len'
    """
    name = getattr(fn, "__name__", None)
    if not callable(fn) or name is None:
        raise TypeError(f"Cannot serialize {kind} {fn!r}: expected {expected}, None or a function.")
    if name == "<lambda>":
        return {"class_name": "__lambda__", "config": {"value": func_dump(fn)}}
    return _function_config(fn)


def deserialize_function(config: dict, custom_objects, kind: str):
    """The user function a `serialize_function` dict names, from `custom_objects` or the
    registry; lamina never runs code stored in a file.

    Keras writes a plain function as `{"class_name": "function", "config": "my_init",
    "registered_name": "function"}`, a registered one with its package name
    (`"registered_name": "MyPackage>my_init"`).

    Raises:
        ValueError: a lambda, or a function that is not known here, with the fix.
    """
    if config.get("class_name") == "__lambda__":
        raise ValueError(f"Cannot load a lambda {kind}: lamina never runs code stored in a "
                         f"file. Define a named function and pass it in `custom_objects`.")
    registered, name = config.get("registered_name"), config.get("config")
    for key in (registered, name):
        if key not in (None, "function"):
            found = object_registration.get_registered_object(key, custom_objects)
            if found is not None:
                return found
    raise ValueError(f"Cannot load the custom {kind} function {name!r}: pass it as "
                     f"custom_objects={{{name!r}: {name}}}.")


def _object_config(obj) -> dict:
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {obj!r} should return a dict. It returned: "
                        f"{config!r}")
    return serialize_dict(config)


# Keras classes exported (and so written to files) under another name than their own.
_EXPORTED_AS = {"GroupedQueryAttention": "GroupQueryAttention"}


def _class_config(cls: type, inner: dict) -> dict:
    keras_module = cls.__dict__.get("_keras_module")
    if keras_module is not None:  # a Keras class outside its public namespaces
        return {"module": keras_module, "class_name": cls.__name__, "config": inner,
                "registered_name": cls.__name__}
    module = public_module(cls)
    if module is not None:
        return {"module": module, "class_name": _EXPORTED_AS.get(cls.__name__, cls.__name__),
                "config": inner,
                "registered_name": "Functional" if cls.__name__ == "Functional" else None}
    return {"module": _defining_module(cls), "class_name": cls.__name__, "config": inner,
            "registered_name": object_registration.get_registered_name(cls)}


def _defining_module(obj) -> str | None:
    """The module that defines a custom object; None for a script's own (`__main__`), as Keras
    writes it: the name means nothing to the program that loads the file."""
    module = getattr(obj, "__module__", None)
    return None if module == "__main__" else module


def _function_config(fn) -> dict:
    registered = object_registration.GLOBAL_CUSTOM_NAMES.get(fn)
    if registered is None and _public_function(getattr(fn, "__name__", None)) is fn:
        # Keras writes its own functions (activations, losses, metrics) under "builtins".
        return {"module": "builtins", "class_name": "function", "config": fn.__name__,
                "registered_name": "function"}
    name = registered or fn.__name__
    return {"module": _defining_module(fn), "class_name": "function",
            "config": name, "registered_name": name}


def _add_build_and_compile_config(obj, config: dict) -> None:
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            config["build_config"] = serialize_dict(build_config)
    if hasattr(obj, "get_compile_config"):
        compile_config = obj.get_compile_config()
        if compile_config is not None:
            config["compile_config"] = serialize_dict(compile_config)


def public_module(cls: type) -> str | None:
    """The Keras module under which Keras exports lamina's class `cls` ("keras.layers"), or None."""
    if cls.__module__.split(".")[0] != "lamina":
        return None
    if cls.__name__ == "Functional":
        return "keras.src.models.functional"
    from lamina import models
    from lamina.optimizers import schedules

    if getattr(models, cls.__name__, None) is cls or cls.__name__ == "DTypePolicy":
        return "keras"
    if getattr(schedules, cls.__name__, None) is cls:
        return "keras.optimizers.schedules"
    for family, namespace in _namespaces().items():
        if getattr(namespace, cls.__name__, None) is cls:
            return f"keras.{family}"
    return None


def _namespaces() -> dict:
    import importlib

    return {family: importlib.import_module(f"lamina.{family}") for family in _FAMILIES}


def _public_function(name):
    if not isinstance(name, str):
        return None
    for family in ("activations", "losses", "metrics"):
        found = getattr(_namespaces()[family], name, None)
        if isinstance(found, types.FunctionType):
            return found
    return None


# -------------------------------------------------------------------------------- deserialize
def deserialize_keras_object(config, custom_objects: dict | None = None, safe_mode: bool = True,
                             **kwargs):
    """Rebuilds the object described by `serialize_keras_object`'s dict (no code is executed).

    Args:
        config: the config (a dict, a list of them, or a plain value).
        custom_objects: names mapped to the user's classes and functions.
        safe_mode: refuse Python lambdas stored as bytecode (the default).

    Raises:
        TypeError: the config names a class or function that is neither lamina's nor
            registered nor in `custom_objects`.

    Example:
        >>> optimizer = deserialize_keras_object({"module": "keras.optimizers", "class_name": "Adam",
        ...                                       "config": {"learning_rate": 0.01}})
        >>> type(optimizer).__name__, round(float(optimizer.learning_rate), 4)
        ('Adam', 0.01)
    """
    scoped = in_safe_mode()
    safe_mode = scoped if scoped is not None else safe_mode
    custom_objects = dict(custom_objects or {})
    if config is None or isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):
        found = object_registration.get_registered_object(config, custom_objects)
        return config if found is None else found
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects, safe_mode) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects, safe_mode)
                for key, value in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    special = _SPECIAL_TYPES.get(class_name)
    if special is not None:
        return special(inner, custom_objects, safe_mode)
    if class_name == "__lambda__":
        if safe_mode:
            raise ValueError(_LAMBDA_REFUSED.format(what=""))
        return func_load(inner["value"])
    if class_name == "function":
        return retrieve_function(config, custom_objects)
    if not isinstance(inner, dict):
        raise TypeError(f"Expected 'config' to be a dict for {class_name}, instead got "
                        f"{type(inner).__name__}. Full config: {config}")
    cls = retrieve_class(config, custom_objects)
    with object_registration.CustomObjectScope(custom_objects), SafeModeScope(safe_mode):
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            instance = cls.from_config(inner, custom_objects=custom_objects)
        else:
            instance = cls.from_config(inner)
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True):
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(compile_config)
    return instance


def retrieve_class(config: dict, custom_objects: dict | None = None) -> type:
    """The class a config names: registered or custom first, then lamina's by Keras module.

    Raises:
        TypeError: naming the class and how to make it known.
    """
    class_name, module = config.get("class_name"), config.get("module")
    for key in (config.get("registered_name"), class_name):
        found = object_registration.get_registered_object(key, custom_objects)
        if found is not None:
            return found
    family = _family_of(module)
    # A config without a module key is Keras 2's (legacy .h5): its built-ins are found by
    # name. `"module": None` marks a user class in Keras 3, never a built-in of that name
    # (a custom RootMeanSquaredError must not load as Keras' own).
    if family is not None or "module" not in config:
        namespaces = _namespaces()
        searched = [namespaces[family]] if family in namespaces else []
        searched += [ns for name, ns in namespaces.items() if name != family]
        if family == "optimizers" or family is None:
            from lamina.optimizers import schedules

            searched.append(schedules)
        for namespace in searched:
            found = getattr(namespace, str(class_name), None)
            if isinstance(found, type) and hasattr(found, "from_config"):
                return found
    known = [n for ns in _namespaces().values() for n in getattr(ns, "__all__", [])]
    raise TypeError(
        f"Could not locate class {class_name!r} (module {module!r}).{did_you_mean(class_name, known)} "
        f"lamina loads only its own classes and registered ones, never code from a file: "
        f"if {class_name!r} is a custom class, pass it as `custom_objects={{{class_name!r}: "
        f"{class_name}}}` or decorate it with "
        f"`@keras.saving.register_keras_serializable()` and import it before loading.")


def retrieve_function(config: dict, custom_objects: dict | None = None):
    """The function a `{"class_name": "function", ...}` config names (by name only)."""
    name = config.get("config")
    if not isinstance(name, str):
        raise TypeError(f"Expected 'config' to be a function name, instead got {name!r}. "
                        f"Full config: {config}")
    for key in (name, config.get("registered_name")):
        found = object_registration.get_registered_object(key, custom_objects)
        if found is not None:
            return found
    module = config.get("module")
    if module == "builtins" or _family_of(module) is not None:
        found = _public_function(name)
        if found is not None:
            return found
    raise TypeError(
        f"Could not locate function {name!r}. lamina never loads code from a file: pass the "
        f"function as `custom_objects={{{name.split('>')[-1]!r}: {name.split('>')[-1]}}}` or "
        f"decorate it with `@keras.saving.register_keras_serializable()` and import it before "
        f"loading. Full object config: {config}")


def _family_of(module) -> str | None:
    """'layers' for "keras.layers", "keras.src.layers.core.dense", "lamina.layers..." ."""
    if not isinstance(module, str):
        return None
    parts = module.split(".")
    if parts[0] not in ("keras", "lamina", "tf_keras"):
        return None
    rest = [p for p in parts[1:] if p != "src"]
    if not rest:
        return "models"  # top-level `keras.Sequential`, `keras.Model`
    if rest[0] == "engine":  # Keras 2's keras.engine.sequential / functional
        return "models"
    if rest[0] == "mixed_precision":
        return "dtype_policies"
    if rest[0] == "backend":  # Keras-on-torch's optimizers: keras.src.backend.torch.optimizers
        rest = rest[1:]
        rest = rest[1:] if rest and rest[0] in ("torch", "jax", "tensorflow", "numpy") else rest
    return rest[0] if rest and rest[0] in _FAMILIES else None


def _tensor(inner, custom_objects, safe_mode):
    return torch.tensor(inner["value"], dtype=getattr(torch, inner["dtype"]))


def _numpy(inner, custom_objects, safe_mode):
    return np.array(inner["value"], dtype=inner["dtype"])


def _slice(inner, custom_objects, safe_mode):
    return slice(*(deserialize_keras_object(inner[k], custom_objects, safe_mode)
                   for k in ("start", "stop", "step")))


_SPECIAL_TYPES = {
    "__tensor__": _tensor,
    "__numpy__": _numpy,
    "__bytes__": lambda inner, *_: inner["value"].encode("utf-8"),
    "__ellipsis__": lambda inner, *_: Ellipsis,
    "__slice__": _slice,
}


# ------------------------------------------------------------------------------------ lambdas
def func_dump(fn) -> tuple:
    """Keras' `(code, defaults, closure)` of a lambda: base64 of its marshalled bytecode."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in fn.__closure__) if fn.__closure__ else None
    return code, fn.__defaults__, closure


def func_load(code, defaults=None, closure=None):
    """Rebuilds a lambda from `func_dump`'s output. Only ever called with safe mode off.

    The function's globals give it `keras` (= lamina), `ops`, `np` and `torch`, the names a
    lambda in a Keras model usually refers to.
    """
    import lamina

    if isinstance(code, (list, tuple)):
        code, defaults, closure = code
    if not isinstance(code, str):
        raise ValueError("The file holds no bytecode for this Python lambda (it was written "
                         "without it); rewrite the lambda as a named function and pass it in "
                         "`custom_objects`.")
    try:
        raw = base64.decodebytes(code.encode("ascii"))
        code_object = marshal.loads(raw)
    except (binascii.Error, ValueError, EOFError, TypeError) as error:
        raise ValueError(f"Could not load the bytecode of a Python lambda ({error}). Bytecode only "
                         f"loads in the Python version that wrote it; rewrite the lambda as a "
                         f"named function and pass it in `custom_objects`.") from error
    cells = tuple(types.CellType(value) for value in closure) if closure else None
    namespace = {"keras": lamina, "lamina": lamina, "ops": lamina.ops, "np": np, "torch": torch,
                 "__builtins__": __builtins__}
    return types.FunctionType(code_object, namespace, code_object.co_name,
                              tuple(defaults) if defaults else None, cells)
