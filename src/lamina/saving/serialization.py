"""Keras' serialized form of layers and models: `{"module", "class_name", "config", ...}` dicts.

Loading never executes code from a config: classes are looked up by name among lamina's own
and those registered with `register_keras_serializable` or passed as `custom_objects`.

Example:
    >>> config = serialize_keras_object(lamina.layers.Dense(3))
    >>> config["class_name"], config["module"]
    ('Dense', 'keras.layers')
    >>> deserialize_keras_object(config).units
    3
"""
from __future__ import annotations

import inspect

from lamina.utils.errors import unknown_name_error

__all__ = ["serialize_function", "serialize_keras_object", "deserialize_keras_object", "register_keras_serializable",
           "get_registered_object", "functional_config", "functional_from_config"]

_REGISTERED: dict[str, type] = {}


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Class decorator: makes a custom layer or model loadable from its config by name.

    Example:
        >>> @register_keras_serializable(package="my_package")
        ... class Scale(lamina.layers.Layer):
        ...     pass
    """
    def decorator(cls):
        registered_name = f"{package}>{name or cls.__name__}"
        _REGISTERED[registered_name] = cls
        cls._registered_name = registered_name
        return cls

    return decorator


def serialize_function(fn, kind: str, expected: str) -> dict:
    """Keras' dict for a plain function used as an initializer, regularizer, ...

    A lambda gets a marker only: Keras stores its bytecode, but lamina never loads code from
    a file, so loading asks for a named function in `custom_objects`.

    Example:
        >>> serialize_function(len, "initializer", "an Initializer")["config"]
        'len'
    """
    name = getattr(fn, "__name__", None)
    if not callable(fn) or name is None:
        raise TypeError(f"Cannot serialize {kind} {fn!r}: expected {expected}, None or a function.")
    if name == "<lambda>":
        return {"module": "builtins", "class_name": "__lambda__", "config": {"code": None},
                "registered_name": None}
    return {"module": getattr(fn, "__module__", None), "class_name": "function",
            "config": name, "registered_name": name}


def get_registered_object(name: str, custom_objects: dict | None = None):
    """The class registered or passed under `name`, else None."""
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _REGISTERED.get(name)


def serialize_keras_object(obj) -> dict:
    """Keras' dict for a layer or model (with its build config when built)."""
    cls = type(obj)
    registered_name = getattr(cls, "_registered_name", None)
    module = "keras.models" if _is_model(obj) and cls.__name__ in ("Sequential", "Functional") \
        else "keras.layers"
    if cls.__name__ == "Functional":
        module = "keras.src.models.functional"
    config = {"module": module if registered_name is None else None,
              "class_name": cls.__name__ if registered_name is None else registered_name.split(">")[-1],
              "config": obj.get_config(),
              "registered_name": registered_name}
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        config["build_config"] = build_config
    return config


def deserialize_keras_object(config: dict, custom_objects: dict | None = None):
    """Recreates a layer or model from `serialize_keras_object`'s dict (no code is executed)."""
    cls = _class_for(config, custom_objects)
    inner = dict(config.get("config", {}))
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        obj = cls.from_config(inner, custom_objects=custom_objects)
    else:
        obj = cls.from_config(inner)
    build_config = config.get("build_config")
    if build_config and not getattr(obj, "built", True):
        obj.build_from_config(build_config)
    return obj


def _class_for(config: dict, custom_objects: dict | None):
    from lamina import layers, models

    class_name = config.get("class_name")
    for name in (config.get("registered_name"), class_name):
        if name:
            cls = get_registered_object(name, custom_objects)
            if cls is not None:
                return cls
    for namespace in (layers, models):
        cls = getattr(namespace, class_name or "", None)
        if isinstance(cls, type):
            return cls
    known = list(layers.__all__) + list(models.__all__) + list(custom_objects or {}) + list(_REGISTERED)
    raise unknown_name_error("layer class", class_name, known)


def _is_model(obj) -> bool:
    from lamina.models import Model

    return isinstance(obj, Model)


def functional_config(model) -> dict:
    """Keras 3's functional config: layers with their inbound nodes, input and output layers.

    Node indices are renumbered per layer among this model's own nodes (a layer may also
    have been called in other graphs), as Keras does.
    """
    from lamina.ops.keras_tensor import KerasTensor
    from torch.utils import _pytree as pytree

    own_nodes = {}
    for layer in model.layers:
        kept = [n for n in getattr(layer, "_inbound_nodes", []) if n is not None and n in model._nodes]
        own_nodes[id(layer)] = kept

    def history_spec(tensor) -> list:
        layer, node_index, tensor_index = tensor.history
        node = layer._inbound_nodes[node_index]
        kept = own_nodes.get(id(layer), [])
        return [layer.name, kept.index(node) if node in kept else 0, tensor_index]

    def tensor_config(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype,
                               "keras_history": history_spec(value)}}
        return value

    layer_configs = []
    for layer in model.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": pytree.tree_map(tensor_config, list(node.call_args),
                                     is_leaf=lambda t: isinstance(t, KerasTensor)),
             "kwargs": pytree.tree_map(tensor_config, node.call_kwargs,
                                       is_leaf=lambda t: isinstance(t, KerasTensor))}
            for node in own_nodes[id(layer)]]
        layer_configs.append(entry)
    input_layers = [history_spec(t) for t in model.inputs]
    output_layers = [history_spec(t) for t in model.outputs]
    # Keras writes a single input or output flat: ["i", 0, 0] rather than [["i", 0, 0]].
    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": input_layers[0] if len(input_layers) == 1 else input_layers,
            "output_layers": output_layers[0] if len(output_layers) == 1 else output_layers}


def _history_specs(specs) -> list:
    """[["i", 0, 0], ...] from either that form or a single flat ["i", 0, 0]."""
    if specs and isinstance(specs[0], str):
        return [specs]
    return list(specs)


def functional_from_config(config: dict, custom_objects: dict | None = None):
    """Rebuilds a functional model by replaying each layer's inbound nodes in order."""
    from lamina.models.functional import Functional
    from torch.utils import _pytree as pytree

    created = {}
    outputs_of = {}  # (layer name, node index) -> outputs
    pending = []
    for entry in config["layers"]:
        layer = deserialize_keras_object(entry, custom_objects)
        created[entry["name"]] = layer
        if entry["class_name"] == "InputLayer":
            outputs_of[(entry["name"], 0)] = layer.output
        else:
            pending += [(entry["name"], index, node) for index, node in enumerate(entry["inbound_nodes"])]

    def resolve(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            name, node_index, tensor_index = value["config"]["keras_history"]
            produced = outputs_of[(name, node_index)]
            return produced[tensor_index] if isinstance(produced, list) else produced
        return value

    while pending:
        progress = False
        for item in list(pending):
            name, index, node = item
            try:
                args = pytree.tree_map(resolve, node["args"], is_leaf=lambda v: isinstance(v, dict))
                kwargs = pytree.tree_map(resolve, node["kwargs"], is_leaf=lambda v: isinstance(v, dict))
            except KeyError:
                continue
            outputs_of[(name, index)] = created[name](*args, **kwargs)
            pending.remove(item)
            progress = True
        if not progress:
            raise ValueError("Functional config has nodes whose inputs are never produced.")

    def pick(spec):
        produced = outputs_of[(spec[0], spec[1])]
        return produced[spec[2]] if isinstance(produced, list) else produced

    inputs = [pick(s) for s in _history_specs(config["input_layers"])]
    outputs = [pick(s) for s in _history_specs(config["output_layers"])]
    return Functional(inputs[0] if len(inputs) == 1 else inputs,
                      outputs[0] if len(outputs) == 1 else outputs, name=config.get("name"))
