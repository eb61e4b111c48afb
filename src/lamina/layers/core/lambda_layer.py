"""`Lambda`: wraps a Python function as a layer, for Sequential and functional models.

A named function is saved by name and found again among `custom_objects` or the functions
registered with `register_keras_serializable`. A Python `lambda` is saved as Keras saves it,
as bytecode, and loading refuses it unless `safe_mode=False` is passed (or
`lamina.config.enable_unsafe_deserialization()` was called), since running it could execute
arbitrary code (DESIGN.md §6).

Example:
    >>> model = lamina.Sequential([lamina.Input(shape=(3,)), Lambda(lambda x: x ** 2)])
    >>> model(torch.tensor([[1.0, 2.0, 3.0]]))
    tensor([[1., 4., 9.]])
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping

from lamina import activations
from lamina.layers.layer import Layer

__all__ = ["Lambda"]

_LAMBDA_REFUSED = (
    "Requested the deserialization of a `Lambda` layer whose `{what}` is a Python lambda. "
    "Keras stores a lambda as Python bytecode, and running it could execute arbitrary code, so "
    "it is refused by default. If you trust the source of the file, pass `safe_mode=False` to "
    "the loading function (`load_model(path, safe_mode=False)`) or call "
    "`lamina.config.enable_unsafe_deserialization()`. Better: rewrite it as a named function "
    "(`def my_{what}(x): ...`), save the model again and load it with "
    "`custom_objects={{'my_{what}': my_{what}}}`.")


class Lambda(Layer):
    """Wraps a function `function(inputs, **arguments)` as a layer.

    Args:
        function: the function to apply; it takes the input tensor (or list of tensors)
            first, and may take `training` (the training flag of the call) and `mask`.
        output_shape: the output shape without the batch axis (a tuple, or a list of tuples
            for several outputs), or a function `input_shape -> output_shape` of the full
            shapes. Default: found by running `function` on placeholder inputs.
        mask: None, a function `(inputs, mask) -> mask`, or a fixed mask.
        arguments: keyword arguments passed to `function` on every call.
        **kwargs: standard layer arguments (`name`, `input_shape`, ...).

    Example:
        >>> def scale(x, factor=1.0):
        ...     return x * factor
        >>> Lambda(scale, arguments={"factor": 3.0})(torch.ones(1, 2))
        tensor([[3., 3.]])
    """

    def __init__(self, function: Callable, output_shape=None, mask=None,
                 arguments: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Argument `function` of Lambda must be a callable (a function or a "
                            f"lambda), but received {function!r} of type "
                            f"{type(function).__name__}.")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        parameters = _parameter_names(function)
        self._fn_expects_training_arg = "training" in parameters
        self._fn_expects_mask_arg = "mask" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask  # the inputs' mask, as Keras hands it on
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        """The output mask: `mask(inputs, mask)` if `mask` is a function, else `mask` itself."""
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            try:
                return super().compute_output_shape(input_shape)
            except Exception as error:  # whatever the user's function raises on placeholders
                raise NotImplementedError(
                    f"We could not automatically infer the shape of the Lambda's output (layer "
                    f"'{self.name}', input shape {input_shape}). Please specify the "
                    f"`output_shape` argument for this Lambda layer. Running the function on "
                    f"placeholder inputs failed with {type(error).__name__}: {error}") from error
        if callable(self._output_shape):
            return _as_shape(self._output_shape(input_shape))
        batch_size = _first_dimension(input_shape)
        shape = _as_shape(self._output_shape)
        if isinstance(shape, list):
            return [(batch_size,) + tuple(s) for s in shape]
        return (batch_size,) + shape

    def get_config(self) -> dict:
        config = {**super().get_config(),
                  "function": serialize_function(self.function)}
        if self._output_shape is not None:
            config["output_shape"] = (serialize_function(self._output_shape)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = serialize_function(self.mask) if callable(self.mask) else self.mask
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: Mapping | None = None,
                    safe_mode: bool | None = None) -> "Lambda":
        """Recreates a Lambda; its functions come from `custom_objects` or the registry.

        Args:
            config: the output of `get_config()` (or a Keras file's layer config).
            custom_objects: names mapped to the user's functions, e.g. `{"square": square}`.
            safe_mode: False loads a Python lambda stored as bytecode; None (the default)
                follows the loading call's `safe_mode` (safe unless told otherwise).

        Raises:
            ValueError: for a function stored as a Python lambda, in safe mode.
            TypeError: for a named function found neither in `custom_objects` nor registered.
        """
        from lamina.saving.serialization_lib import in_safe_mode

        safe = (safe_mode if safe_mode is not None else in_safe_mode()) is not False
        config = dict(config)
        config["function"] = deserialize_function(config["function"], custom_objects, "function",
                                                  safe_mode=safe)
        if "output_shape" in config:
            shape = config["output_shape"]
            config["output_shape"] = (deserialize_function(shape, custom_objects, "output_shape",
                                                           safe_mode=safe)
                                      if isinstance(shape, Mapping) else _as_shape(shape))
        if isinstance(config.get("mask"), Mapping) and "class_name" in config["mask"]:
            config["mask"] = deserialize_function(config["mask"], custom_objects, "mask",
                                                  safe_mode=safe)
        return cls(**config)


def serialize_function(fn: Callable) -> dict:
    """Keras' config of a function: by name (or registered name); a lambda as its bytecode.

    Built-in activations and `keras.ops` functions are written under Keras' module names so
    that Keras can load them too; a Python lambda is written as Keras writes it (loading it
    needs `safe_mode=False`).

    Example:
        >>> serialize_function(lamina.activations.relu)["config"]
        'relu'
    """
    if getattr(fn, "__name__", None) == "<lambda>":
        from lamina.saving.serialization_lib import func_dump

        code, defaults, closure = func_dump(fn)
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": defaults, "closure": closure}}
    registered_name = getattr(fn, "_registered_name", None)
    if registered_name:
        return {"module": getattr(fn, "__module__", None), "class_name": "function",
                "config": registered_name, "registered_name": registered_name}
    name = getattr(fn, "__name__", None)
    if getattr(fn, "__module__", "").startswith("lamina.ops") and _ops_function(name) is fn:
        return {"module": "keras.ops", "class_name": "function", "config": name,
                "registered_name": name}
    config = activations.serialize(fn)
    if isinstance(config, str):
        return {"module": "keras.activations", "class_name": "function", "config": config,
                "registered_name": config}
    return config


def deserialize_function(config, custom_objects: Mapping | None = None,
                         what: str = "function", safe_mode: bool = True) -> Callable:
    """The function named by `serialize_function`'s config, looked up by name.

    Args:
        config: a config dict, a name, or already a callable (returned as is).
        custom_objects: names mapped to the user's functions.
        what: the argument being restored, for error messages.
        safe_mode: refuse a Python lambda stored as bytecode (False runs its bytecode).

    Returns:
        The function.

    Example:
        >>> config = {"module": "keras.activations", "class_name": "function",
        ...           "config": "relu", "registered_name": "relu"}
        >>> deserialize_function(config) is lamina.activations.relu
        True
    """
    from lamina.saving import get_registered_object

    if callable(config):
        return config
    if isinstance(config, str):
        config = {"module": None, "class_name": "function", "config": config,
                  "registered_name": config}
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise TypeError(f"Could not deserialize the `{what}` of a Lambda layer: expected a "
                        f"function config dict, but received {config!r}.")
    class_name = config["class_name"]
    if class_name == "__lambda__":
        if safe_mode:
            raise ValueError(_LAMBDA_REFUSED.format(what=what))
        from lamina.saving.serialization_lib import func_load

        inner = config.get("config") or {}
        return func_load(inner.get("code"), inner.get("defaults"), inner.get("closure"))
    if class_name in ("function", "__function__"):
        name = config.get("config")
        for key in (name, config.get("registered_name")):
            found = get_registered_object(key, dict(custom_objects or {})) if key else None
            if found is not None:
                return found
        found = _builtin_function(config.get("module"), name)
        if found is not None:
            return found
        raise TypeError(f"Could not locate function {name!r} for the `{what}` of a Lambda layer. "
                        f"lamina never loads code from a file: pass the function when loading, "
                        f"e.g. `custom_objects={{{name!r}: {name}}}`, or decorate it with "
                        f"`@keras.saving.register_keras_serializable()` and import it before "
                        f"loading. Full object config: {dict(config)}")
    cls = (get_registered_object(config.get("registered_name") or class_name,
                                 dict(custom_objects or {}))
           or get_registered_object(class_name, dict(custom_objects or {})))
    if cls is None:
        raise TypeError(f"Could not locate class {class_name!r} for the `{what}` of a Lambda "
                        f"layer: pass it in `custom_objects` or register it with "
                        f"`@keras.saving.register_keras_serializable()`.")
    return cls.from_config(dict(config.get("config") or {})) if isinstance(cls, type) else cls


def _builtin_function(module: str | None, name: str | None):
    """A Keras built-in function by module and name: an activation or a `keras.ops` op."""
    if not name:
        return None
    if module in ("keras.activations", "keras.src.activations.activations"):
        try:
            return activations.get(name)
        except ValueError:
            return None
    if module in ("keras.ops", "keras.src.ops.numpy", "keras.src.ops.nn", "keras.src.ops.math"):
        return _ops_function(name)
    return None


def _ops_function(name: str | None):
    from lamina import ops

    return getattr(ops, name, None) if name in getattr(ops, "__all__", ()) else None


def _parameter_names(function) -> set[str]:
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # some builtins have no signature
        return set()


def _as_shape(shape):
    """A shape from a config or a user function: a tuple, or a list of tuples."""
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(s, (list, tuple)) for s in shape):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _first_dimension(input_shape):
    while isinstance(input_shape, (list, tuple)) and input_shape and isinstance(
            input_shape[0], (list, tuple)):
        input_shape = input_shape[0]
    return input_shape[0] if input_shape else None
