"""The functional API: layers called on symbolic `KerasTensor`s record a graph; `Functional` runs it.

Example:
    >>> inputs = lamina.Input(shape=(64,))
    >>> hidden = lamina.layers.Dense(32, activation="relu")(inputs)
    >>> outputs = lamina.layers.Dense(3, activation="softmax", name="label")(hidden)
    >>> model = lamina.Model(inputs=inputs, outputs=outputs)
    >>> model.output_names
    ['label']
"""
from __future__ import annotations

import warnings
from collections import Counter, OrderedDict

from torch import nn
from torch.utils import _pytree as pytree

from lamina import tree
from lamina.layers.layer import Layer
from lamina.layers.core.input_layer import Input, InputLayer, unwrap_single_input
from lamina.models.model import Model
from lamina.ops.node import Node
from lamina.ops.keras_tensor import KerasTensor
from lamina.utils.errors import user_stacklevel

__all__ = ["Functional"]


class Functional(Model):
    """A model defined by a graph of layers from `inputs` to `outputs`.

    Args:
        inputs: an `Input(...)` tensor, or a list/dict of them.
        outputs: a symbolic tensor produced from the inputs, or a list/dict of them.
        name: the model's name.
    """

    _state_locked_when_built = False  # mutable after build, as Keras' is

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._convert_input_args = False
        inputs, outputs = _entered_at_inputs(inputs, outputs)
        _warn_dict_keys_differ_from_names(inputs)
        self._inputs_struct = inputs
        # Keras flattens a dict's values in sorted key order: a list of losses, loss weights or
        # targets pairs with `outputs={"b": ..., "a": ...}` as ("a", "b").
        outputs = _keys_sorted(outputs)
        self._outputs_struct = outputs
        # Inputs flatten in sorted key order too: data given as a list pairs with them so.
        self._input_tensors = _symbolic_leaves(_keys_sorted(inputs), "inputs")
        self._output_tensors = _symbolic_leaves(outputs, "outputs")
        self._nodes = _topological_nodes(self._input_tensors, self._output_tensors)
        self._graph = nn.ModuleList(_layers_by_depth(self._input_tensors, self._output_tensors,
                                                     self._nodes))
        _check_unique_names(self._graph)
        self.built = True
        self._build_shapes = [t.shape for t in self._input_tensors]

    @property
    def layers(self) -> list[Layer]:
        # Tensor operations (`x + y`) are graph nodes but not layers, as in Keras.
        return [layer for layer in self._graph if not getattr(layer, "_is_operation", False)]

    @property
    def operations(self) -> list:
        """The layers and the tensor operations (`not_equal`, `add`) of the graph, in order."""
        return list(self._graph)

    def _sublayers(self) -> list[Layer]:
        return list(self._graph)

    def _summary_layers(self) -> list[Layer]:
        # Keras' summary of a functional model lists its operations (`add (Add)`) too.
        return list(self._graph)

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._input_tensors)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._output_tensors)

    @property
    def input(self):
        """The model's symbolic inputs as given: `Model(inputs=[x], ...)` gives `[x]`, as Keras."""
        return self._inputs_struct

    @property
    def output(self):
        """The model's symbolic outputs as given: `Model(..., outputs=[y])` gives `[y]`."""
        return self._outputs_struct

    @property
    def input_names(self) -> list[str]:
        return [t.history[0].name for t in self._input_tensors]

    @property
    def input_keys(self) -> list[str]:
        """The keys a dict of input data is read by: those of `Model(inputs={...})`, else the
        input names, in the order of `inputs`."""
        if isinstance(self._inputs_struct, dict) and len(self._inputs_struct) == len(
                self._input_tensors):
            return [str(key) for key in _keys_sorted(self._inputs_struct)]
        return self.input_names

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t.history[0].name for t in self._output_tensors]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=None, mask=None):
        values = self._feed(inputs)
        if mask is not None:  # the masks of the inputs, given by an enclosing graph
            for symbolic, input_mask in zip(self._input_tensors, tree.flatten(mask)):
                if input_mask is not None:
                    values[id(symbolic)]._keras_mask = input_mask
        for node in self._nodes:
            args, kwargs = pytree.tree_map(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t,
                                           (node.call_args, node.call_kwargs),
                                           is_leaf=lambda t: isinstance(t, KerasTensor))
            # Keras: the model's own `training` wins over one written into the graph.
            written = kwargs.pop("training", None)
            outputs = node.layer(*args, training=written if training is None else training,
                                 **kwargs)
            for symbolic, actual in zip(_as_list(node.outputs), _as_list(outputs)):
                values[id(symbolic)] = actual
        outputs = pytree.tree_map(lambda t: values[id(t)], self._outputs_struct,
                                  is_leaf=lambda t: isinstance(t, KerasTensor))
        # Keras unpacks a one-output list: Model(x, [y]) computes a tensor, predicts an array.
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            return outputs[0]
        return outputs

    def _feed(self, inputs) -> dict:
        if isinstance(inputs, dict):
            keys = self.input_keys
            missing = [n for n in keys if n not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}' expects inputs named {keys}, but "
                                 f"the dict has keys {sorted(inputs)}; missing {missing}.")
            flat = [inputs[n] for n in keys]
        else:
            flat = (_as_list(inputs) if len(self._input_tensors) > 1
                    else [unwrap_single_input(inputs)])
        leaves = tree.flatten(inputs)
        if len(flat) != len(self._input_tensors) and len(leaves) == len(self._input_tensors):
            # Keras matches inputs by their flat order when the structure differs, as for
            # `([a, b],)`, what a custom test_step gets from evaluate(x=[a, b]).
            warnings.warn(f"The structure of `inputs` doesn't match the expected structure "
                          f"{self.input_names}. Received: the structure of inputs="
                          f"{_structure_text(inputs)}", stacklevel=user_stacklevel())
            flat = leaves
        if len(flat) != len(self._input_tensors):
            shapes = [tuple(getattr(x, "shape", ())) for x in flat]
            example = ", ".join(f"'{n}': ..." for n in self.input_names)
            raise ValueError(f"Model '{self.name}' expects {len(self._input_tensors)} input(s) "
                             f"named {self.input_names}, but received {len(flat)} (shapes "
                             f"{shapes}). Pass one array per input: a list in the order of "
                             f"model.inputs, or a dict keyed by input name, e.g. {{{example}}}.")
        values = {}
        for symbolic, actual in zip(self._input_tensors, flat):
            input_layer = symbolic.history[0]
            values[id(symbolic)] = input_layer(actual)
        return values

    def compute_output_shape(self, input_shape):
        check_input_shapes(self, [t.shape for t in self._input_tensors], input_shape)
        first = input_shape if _is_shape(input_shape) else next(iter(input_shape), None)
        batch = first[0] if _is_shape(first) and first else None
        if isinstance(self._outputs_struct, dict):  # a dict model called in a graph gives a dict
            return {key: with_batch(t.shape, batch) for key, t in self._outputs_struct.items()}
        return with_batch(self.output_shape, batch)  # a call keeps the caller's batch size

    def _summary_column_titles(self):
        if self._is_chain():
            return super()._summary_column_titles()
        return ("Layer (type)", "Output Shape", "Param #", "Connected to")

    def _summary_row(self, layer):
        row = super()._summary_row(layer)
        if self._is_chain():
            return row
        sources = []
        for node in getattr(layer, "_inbound_nodes", []):
            if node is not None and node in self._nodes:
                sources += [f"{t.history[0].name}[{t.history[1]}][{t.history[2]}]"
                            for t in node.input_tensors]
        return row + (sources if sources else "-",)

    def _is_chain(self) -> bool:
        """Keras' "sequential-like" summary test: one node at each depth, none taking more
        than one tensor, each layer called once (a shared layer, called at two places, needs
        the "Connected to" column). A chain may end in two outputs, a layer's and the one
        it feeds (keras.io's miniature GPT returns its logits and the block's output)."""
        layers = [node.layer for node in self._nodes]
        input_nodes = _input_nodes(self._input_tensors)
        depths = _node_depths(self._nodes, input_nodes)
        every = [*self._nodes, *{id(n): n for n in input_nodes.values()}.values()]
        per_depth = [depths.get(id(node), 0) for node in every]
        return (len(set(per_depth)) == len(per_depth)
                and all(len(node.input_tensors) <= 1 for node in self._nodes)
                and len({id(layer) for layer in layers}) == len(layers))

    def get_config(self) -> dict:
        from lamina.saving.functional_config import functional_config

        return functional_config(self)


def check_input_shapes(model, expected: list, given) -> None:
    """Keras' error for a model called on Keras tensors of other shapes than its inputs'
    (batch sizes aside); a dict, or a different number of inputs, is checked elsewhere.

    Example:
        >>> model = lamina.Sequential([lamina.Input((10,)), lamina.layers.Dense(2)], name="m")
        >>> check_input_shapes(model, [(None, 10)], (None, 5))
        Traceback (most recent call last):
        ValueError: Input 0 of layer "m" is incompatible with the layer: expected shape=(None, 10), found shape=(None, 5)
    """
    shapes = [given] if _is_shape(given) else given
    if not isinstance(shapes, (list, tuple)) or len(shapes) != len(expected):
        return
    for index, (want, got) in enumerate(zip(expected, shapes)):
        got = tuple(got)
        if len(want) != len(got) or any(w is not None and g is not None and w != g
                                         for w, g in zip(want[1:], got[1:])):
            raise ValueError(f'Input {index} of layer "{model.name}" is incompatible with the '
                             f"layer: expected shape={tuple(want)}, found shape={got}")


def _check_unique_names(operations) -> None:
    """Keras' rule: the graph's layers and inputs have distinct names (weights and the
    `.keras` file are keyed by them)."""
    counts = Counter(operation.name for operation in operations)
    for name, count in counts.items():
        if count > 1:
            raise ValueError(f'The name "{name}" is used {count} times in the model. All '
                             f"operation names should be unique. Give each layer (or Input) its "
                             f"own `name=`.")


def with_batch(shape, batch):
    """`shape` (or each shape of a list) with its batch axis set to `batch`."""
    if isinstance(shape, list):
        return [with_batch(one, batch) for one in shape]
    if isinstance(shape, dict):
        return {key: with_batch(one, batch) for key, one in shape.items()}
    return (batch,) + tuple(shape)[1:] if shape else shape


def _structure_text(inputs) -> str:
    """`([*, *],)`: a structure with its leaves as stars, as Keras' warning shows it."""
    if isinstance(inputs, dict):
        return "{" + ", ".join(f"'{k}': {_structure_text(v)}" for k, v in inputs.items()) + "}"
    if isinstance(inputs, list):
        return "[" + ", ".join(_structure_text(v) for v in inputs) + "]"
    if isinstance(inputs, tuple):
        inner = ", ".join(_structure_text(v) for v in inputs)
        return f"({inner},)" if len(inputs) == 1 else f"({inner})"
    return "*"


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, int) for d in value)


def _warn_dict_keys_differ_from_names(inputs) -> None:
    """Keras' warning for `Model(inputs={"wide": a})` where `a` is named otherwise; the model
    still reads input data by the dict's keys."""
    if not isinstance(inputs, dict):
        return
    for key, tensor in inputs.items():
        if isinstance(tensor, KerasTensor) and key != tensor.name:
            warnings.warn(
                "When providing `inputs` as a dict, all keys in the dict must match the names "
                f"of the corresponding tensors. Received key '{key}' mapping to value {tensor} "
                f"which has name '{tensor.name}'. Change the tensor name to '{key}' (via "
                f"`Input(..., name='{key}')`)", stacklevel=user_stacklevel())


def _keys_sorted(structure):
    """`structure` with each plain dict's keys in sorted order (OrderedDicts keep theirs)."""
    if isinstance(structure, dict) and not isinstance(structure, OrderedDict):
        return {key: _keys_sorted(structure[key]) for key in sorted(structure)}
    if isinstance(structure, OrderedDict):
        return OrderedDict((key, _keys_sorted(value)) for key, value in structure.items())
    if isinstance(structure, (list, tuple)) and type(structure) in (list, tuple):
        return type(structure)(_keys_sorted(value) for value in structure)
    return structure


def _symbolic_leaves(structure, argument: str) -> list[KerasTensor]:
    leaves = pytree.tree_leaves(structure, is_leaf=lambda t: isinstance(t, KerasTensor))
    for leaf in leaves:
        if not isinstance(leaf, KerasTensor):
            shape = getattr(leaf, "shape", None)
            received = (f"a {type(leaf).__name__} of shape {tuple(shape)}" if shape is not None
                        else f"{leaf!r} of type {type(leaf).__name__}")
            hint = (" Data goes to fit()/predict(); the model is described by symbolic tensors: "
                    "`inputs = keras.Input(shape=...)`, `outputs = layers.Dense(1)(inputs)`, "
                    "`keras.Model(inputs, outputs)`." if shape is not None else "")
            raise ValueError(  # noqa: TRY004 - Keras' error type
                f"All `{argument}` values must be KerasTensors (from `keras.Input(...)` and "
                f"layer calls on them), but received {received}.{hint}")
    return leaves


def _entered_at_inputs(inputs, outputs):
    """`inputs` and `outputs` with each intermediate tensor among the inputs replaced by a new
    `Input` of its shape and dtype, and the layers between called again from there.

    Keras allows `Model(inputs=encoded_features, ...)` for a tensor that layers produced (its
    `clone_graph_nodes`): the model then starts at an InputLayer of its own, so it runs, lists
    its layers and saves like any other.
    """
    leaves = _symbolic_leaves(inputs, "inputs")
    if all(isinstance(t.history[0], InputLayer) for t in leaves):
        return inputs, outputs
    entries = {id(t): t if isinstance(t.history[0], InputLayer)
               else Input(batch_shape=t.shape, dtype=t.dtype) for t in leaves}
    for node in _topological_nodes(leaves, _symbolic_leaves(outputs, "outputs")):
        args, kwargs = _replaced((node.call_args, node.call_kwargs), entries)
        called = node.layer(*args, **kwargs)
        for old, new in zip(_as_list(node.outputs), _as_list(called)):
            entries[id(old)] = new
    return _replaced(inputs, entries), _replaced(outputs, entries)


def _replaced(structure, tensors: dict):
    return pytree.tree_map(lambda t: tensors.get(id(t), t) if isinstance(t, KerasTensor) else t,
                           structure, is_leaf=lambda t: isinstance(t, KerasTensor))


def _topological_nodes(inputs, outputs) -> list[Node]:
    """The nodes between `inputs` and `outputs`, each after the nodes that feed it."""
    input_ids = {id(t) for t in inputs}
    ordered, visited = [], set()

    def visit(tensor: KerasTensor, path: tuple):
        if id(tensor) in input_ids:
            return
        layer, node_index, _ = tensor.history
        if isinstance(layer, InputLayer):
            raise ValueError(f"Graph disconnected: output depends on input '{layer.name}', which is "
                             f"not among the model's inputs {[t.history[0].name for t in inputs]}.")
        node = tensor.node
        if node is None:
            raise ValueError(f"The symbolic tensor from layer '{layer.name}' belongs to a graph that "
                             f"was rebuilt (a Sequential model changed); take the tensor again from "
                             f"the current model.")
        if id(node) in visited:
            return
        for source in node.input_tensors:
            visit(source, path + (id(node),))
        visited.add(id(node))
        ordered.append(node)

    for output in outputs:
        if output.history is None:
            raise ValueError(f"Output {output!r} was not produced by a layer.")
        visit(output, ())
    return ordered


def _layers_by_depth(inputs, outputs, nodes) -> list[Layer]:
    """The graph's layers in Keras' order: deepest first (inputs), ties in discovery order.

    A node's depth is its distance from the outputs (the longest path); this order fixes
    `model.layers`, `summary()` and the order of `get_weights()`, so it must be Keras'.
    Discovery is Keras' (`ops/function.py`, `_build_map_helper`): a walk back from each
    output that numbers a layer when it first reaches it, before the layers feeding it.
    """
    input_nodes = _input_nodes(inputs)
    depth = _node_depths(nodes, input_nodes)
    discovered: list[Layer] = []
    layer_depth: dict[int, int] = {}
    for node in nodes:
        for tensor in node.input_tensors:
            if id(tensor) in input_nodes:
                _note(discovered, layer_depth, tensor.history[0], depth.get(id(input_nodes[id(tensor)]), 0))
        _note(discovered, layer_depth, node.layer, depth.get(id(node), 0))
    for tensor in inputs:  # inputs that feed nothing still belong to the model
        _note(discovered, layer_depth, tensor.history[0], depth.get(id(input_nodes[id(tensor)]), 0))
    order = _discovery_order(inputs, outputs, input_nodes)
    for layer in discovered:
        order.setdefault(id(layer), len(order))
    return sorted(discovered, key=lambda layer: (-layer_depth[id(layer)], order[id(layer)]))


def _input_nodes(inputs) -> dict:
    return {id(t): t.history[0]._inbound_nodes[t.history[1]] for t in inputs}


def _node_depths(nodes, input_nodes) -> dict[int, int]:
    """id(node) -> its depth: the longest path from it to an output (the inputs' nodes too)."""
    depth: dict[int, int] = {}
    for node in reversed(nodes):  # consumers before producers
        for tensor in node.input_tensors:
            producer = _producer(tensor, input_nodes)
            depth[id(producer)] = max(depth.get(id(producer), 0), depth.get(id(node), 0) + 1)
    return depth


def _discovery_order(inputs, outputs, input_nodes) -> dict[int, int]:
    """id(layer) -> the index Keras gives it, walking back from the outputs in order."""
    order: dict[int, int] = {}
    visited: set[int] = set()
    stack = [tensor for tensor in reversed(outputs)]
    while stack:
        tensor = stack.pop()
        node = _producer(tensor, input_nodes)
        if id(node) in visited:
            continue
        visited.add(id(node))
        order.setdefault(id(tensor.history[0]), len(order))
        if id(tensor) not in input_nodes:
            stack.extend(reversed(node.input_tensors))
    return order


def _producer(tensor: KerasTensor, input_nodes: dict):
    if id(tensor) in input_nodes:
        return input_nodes[id(tensor)]
    layer, node_index, _ = tensor.history
    return layer._inbound_nodes[node_index]


def _note(discovered: list, layer_depth: dict, layer: Layer, depth: int) -> None:
    if id(layer) not in layer_depth:
        discovered.append(layer)
        layer_depth[id(layer)] = depth
    else:
        layer_depth[id(layer)] = max(layer_depth[id(layer)], depth)


def _as_list(value) -> list:
    if isinstance(value, dict):  # a nested model's dict outputs, in the order of its keys
        return list(value.values())
    return list(value) if isinstance(value, (list, tuple)) else [value]
