"""Tensor operations in functional configs (`x + y`, `-x`, `x[:, :2]`) in Keras 3's form.

Keras records them as operation nodes such as `{"module": "keras.src.ops.numpy",
"class_name": "Add", "config": {"name": "add"}, ...}`, with every operand (a reflected
`2 - x` as `Subtract(2, x)`, an index as the second argument of `GetItem`) among the
node's arguments. lamina runs them as `TensorOperation` nodes; this module converts
between the two, so that such graphs move both ways.

Example:
    >>> x = lamina.Input((3,), name="x")
    >>> model = lamina.Model(x, 1.0 - x[:, :2])
    >>> [entry["class_name"] for entry in model.get_config()["layers"]]
    ['InputLayer', 'GetItem', 'Subtract']
"""
from __future__ import annotations

from lamina.layers.core.tensor_operation import KERAS_CLASSES, REFLECTED, TensorOperation

__all__ = ["from_keras", "is_keras_operation", "to_keras"]

_OPERATIONS = {**{keras: name for name, keras in KERAS_CLASSES.items()}, "Divide": "divide"}


def is_keras_operation(entry: dict) -> bool:
    """Whether a functional config's layer entry is a Keras operation node."""
    module = entry.get("module") or ""
    return module.startswith(("keras.src.ops", "keras.ops"))


def to_keras(layer, node_args: list) -> tuple[dict, list]:
    """(Keras' entry fields, Keras' node args) for a `TensorOperation` and its node's args."""
    if hasattr(layer, "keras_entry"):  # an `ops.*` call (OperationLayer)
        return layer.keras_entry(), list(node_args)
    keras_class = layer.keras_class_name
    if layer.operation == "getitem":
        args = [node_args[0], _serialized_key(layer.key)]
    elif layer.operation in REFLECTED:
        args = [node_args[1], node_args[0]]
    else:
        args = list(node_args)
    return {"module": "keras.src.ops.numpy", "class_name": keras_class,
            "config": {"name": layer.name}, "registered_name": keras_class}, args


def from_keras(entry: dict, deserialize) -> tuple[TensorOperation, list]:
    """A `TensorOperation` for a Keras operation entry, and its nodes in lamina's argument order.

    Raises:
        TypeError: the operation has no lamina equivalent (naming it).
    """
    class_name = entry.get("class_name")
    operation = _OPERATIONS.get(class_name)
    if operation is None:
        from lamina.layers.core.operation_layer import OperationLayer

        layer = OperationLayer.from_keras_entry(entry)
        if layer is not None:
            return layer, entry.get("inbound_nodes", [])
        raise TypeError(f"The Keras operation {class_name!r} (layer {entry.get('name')!r}) has no "
                        f"lamina equivalent in a saved functional model; supported: "
                        f"{sorted(_OPERATIONS)}. Wrap the computation in a layer instead.")
    nodes = entry.get("inbound_nodes", [])
    first_args = nodes[0]["args"] if nodes else []
    name = (entry.get("config") or {}).get("name", entry.get("name"))
    if operation == "getitem":
        key = deserialize(first_args[1])
        key = tuple(key) if isinstance(key, list) else key
        layer = TensorOperation("getitem", key=key, name=name)
        return layer, [{**node, "args": node["args"][:1]} for node in nodes]
    if len(first_args) == 2 and not _is_tensor(first_args[0]) and _is_tensor(first_args[1]):
        reflected = {plain: r for r, plain in REFLECTED.items()}.get(operation)
        if reflected is not None:
            swapped = [{**node, "args": node["args"][::-1]} for node in nodes]
            return TensorOperation(reflected, name=name), swapped
    return TensorOperation(operation, name=name), nodes


def _serialized_key(key):
    from lamina.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(list(key) if isinstance(key, tuple) else key)


def _is_tensor(value) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"
