"""The config of a functional model: its layers with their inbound nodes, inputs and outputs.

Reads Keras 3's node format (`{"args": [...], "kwargs": {...}}` holding `__keras_tensor__`
references) and Keras 2's (`[["dense", 0, 0, {}], ...]`), and writes Keras 3's.

Example:
    >>> inputs = lamina.Input(shape=(3,), name="x")
    >>> model = lamina.Model(inputs, lamina.layers.Dense(2, name="out")(inputs))
    >>> config = functional_config(model)
    >>> config["input_layers"], config["output_layers"]
    (['x', 0, 0], ['out', 0, 0])
    >>> functional_from_config(config).output_shape
    (None, 2)
"""
from __future__ import annotations

from torch.utils import _pytree as pytree

from lamina.ops.keras_tensor import KerasTensor
from lamina.saving import keras_ops
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = ["functional_config", "functional_from_config"]


def functional_config(model) -> dict:
    """Keras 3's functional config.

    Node indices are renumbered per layer among this model's own nodes (a layer may also
    have been called in other graphs), as Keras does.
    """
    own_nodes = {}
    for layer in model._sublayers():
        kept = [n for n in getattr(layer, "_inbound_nodes", []) if n is not None and n in model._nodes]
        own_nodes[id(layer)] = kept

    def history_spec(tensor) -> list:
        layer, node_index, tensor_index = tensor.history
        node = layer._inbound_nodes[node_index]
        kept = own_nodes.get(id(layer), [])
        return [layer.name, kept.index(node) if node in kept else 0, tensor_index]

    def model_io_spec(tensor) -> list:
        # In `input_layers` / `output_layers` (only there) Keras numbers a nested functional
        # model's calls from 1: its node 0 stands for its own graph, as in Keras 2.
        name, node_index, tensor_index = history_spec(tensor)
        return [name, node_index + _graph_node_offset(tensor.history[0]), tensor_index]

    def tensor_config(value):
        if isinstance(value, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": value.dtype,
                               "keras_history": history_spec(value)}}
        return serialize_keras_object(value)

    def is_tensor(value) -> bool:
        return isinstance(value, KerasTensor)

    layer_configs = []
    for layer in model._sublayers():
        nodes = [{"args": pytree.tree_map(tensor_config, list(node.call_args), is_leaf=is_tensor),
                  "kwargs": pytree.tree_map(tensor_config, dict(node.call_kwargs),
                                            is_leaf=is_tensor)}
                 for node in own_nodes[id(layer)]]
        if getattr(layer, "_is_operation", False):
            converted = [keras_ops.to_keras(layer, node["args"]) for node in nodes]
            entry = dict(converted[0][0]) if converted else serialize_keras_object(layer)
            nodes = [{"args": args, "kwargs": node["kwargs"]}
                     for (_, args), node in zip(converted, nodes)]
        else:
            entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = nodes
        layer_configs.append(entry)
    # Keras writes the inputs and outputs in the structure the model was given: a single
    # tensor flat (["i", 0, 0]), `outputs=[y]` as [["y", 0, 0]], dicts as dicts.
    return {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
            "input_layers": pytree.tree_map(model_io_spec, model._inputs_struct, is_leaf=is_tensor),
            "output_layers": pytree.tree_map(model_io_spec, model._outputs_struct,
                                             is_leaf=is_tensor)}


def functional_from_config(config: dict, custom_objects: dict | None = None, cls=None):
    """Rebuilds a functional model by replaying each layer's inbound nodes in order.

    Args:
        config: the output of `functional_config` (or a Keras file's model config).
        custom_objects: names mapped to the user's classes and functions.
        cls: the model class to create (default `Functional`).

    Raises:
        ValueError: a node's inputs are never produced (a broken or cyclic graph).
    """
    from lamina.models.functional import Functional

    created = {}
    outputs_of = {}  # (layer name, node index) -> outputs
    pending = []
    for entry in config["layers"]:
        nodes = entry.get("inbound_nodes", [])
        if keras_ops.is_keras_operation(entry):
            layer, nodes = keras_ops.from_keras(
                entry, lambda value: deserialize_keras_object(value, custom_objects))
        else:
            layer = deserialize_keras_object(entry, custom_objects)
        created[entry["name"]] = layer
        if entry["class_name"] == "InputLayer":
            outputs_of[(entry["name"], 0)] = layer.output
        else:
            pending += [(entry["name"], index, node) for index, node in enumerate(nodes)]

    from lamina.models.model import Model

    # Keras 2 counts a nested model's own graph as its node 0: its first call here is node 1.
    keras_2 = any(isinstance(node, list) for _, _, node in pending)

    def produced(name: str, node_index: int, tensor_index: int):
        if keras_2 and node_index > 0 and isinstance(created.get(name), Model):
            node_index -= 1
        outputs = outputs_of[(name, node_index)]
        return outputs[tensor_index] if isinstance(outputs, (list, tuple)) else outputs

    def resolve(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return produced(*value["config"]["keras_history"][:3])
        if isinstance(value, dict) and "class_name" in value and "config" in value:
            return deserialize_keras_object(value, custom_objects)
        return value

    def is_leaf(value) -> bool:
        return isinstance(value, dict) and "class_name" in value

    while pending:
        progress = False
        for item in list(pending):
            name, index, node = item
            try:
                args, kwargs = _node_arguments(node, resolve, produced, is_leaf)
            except KeyError:
                continue  # an input of this node is not built yet
            outputs_of[(name, index)] = created[name](*args, **kwargs)
            pending.remove(item)
            progress = True
        if not progress:
            missing = sorted({name for name, _, _ in pending})
            raise ValueError(f"Invalid functional model configuration: the inputs of layers "
                             f"{missing} are never produced (the graph has loops or "
                             f"disconnected nodes).")

    def pick(specs):
        if _is_history(specs):
            name, node_index, tensor_index = specs[:3]
            if not keras_2 and node_index > 0:
                node_index -= _graph_node_offset(created.get(name))
            return produced(name, node_index, tensor_index)
        if isinstance(specs, dict):
            return {key: pick(value) for key, value in specs.items()}
        return [pick(spec) for spec in specs]

    # The structure is kept, as Keras keeps it: [["x", 0, 0]] (Keras 2 writes every model's
    # inputs so) is a list of one input, which a functional model computes as the tensor.
    inputs, outputs = pick(config["input_layers"]), pick(config["output_layers"])
    return (cls or Functional)(inputs, outputs, name=config.get("name"),
                               trainable=config.get("trainable", True))


def _graph_node_offset(layer) -> int:
    """1 for a functional model (Keras counts its own graph as its node 0), else 0."""
    from lamina.models.functional import Functional

    return 1 if isinstance(layer, Functional) else 0


def _node_arguments(node, resolve, produced, is_leaf):
    """(args, kwargs) of one inbound node, in Keras 3's dict form or Keras 2's list form."""
    if isinstance(node, list):
        tensors = [produced(*entry[:3]) for entry in node]
        kwargs = dict(node[0][3]) if node and len(node[0]) > 3 else {}
        return [tensors[0] if len(tensors) == 1 else tensors], kwargs
    args = pytree.tree_map(resolve, node.get("args", []), is_leaf=is_leaf)
    kwargs = pytree.tree_map(resolve, node.get("kwargs", {}), is_leaf=is_leaf)
    return args, kwargs


def _is_history(value) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], int))
