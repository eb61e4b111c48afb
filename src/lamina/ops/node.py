"""`Node`: one call of a layer in a symbolic graph — the tensors it took and the tensors it gave.

Nodes sit below the layers (as in Keras' `ops/node.py`): a layer records a node when it is
called on `KerasTensor`s, and a functional model walks the nodes to run the graph.

Example:
    >>> x = lamina.Input(shape=(4,))
    >>> y = lamina.layers.Dense(2)(x)
    >>> node = y.history[0]._inbound_nodes[0]
    >>> [t.shape for t in node.input_tensors], node.outputs.shape
    ([(None, 4)], (None, 2))
"""
from __future__ import annotations

from torch.utils import _pytree as pytree

from lamina.ops.keras_tensor import KerasTensor

__all__ = ["Node", "get_source_inputs"]


class Node:
    """One call of `layer`: its symbolic arguments, its outputs, and the nodes that consumed them.

    Args:
        layer: the layer (or operation) that was called.
        call_args, call_kwargs: the arguments of the call, KerasTensors among them.
        outputs: the KerasTensor (or list of them) the call returned.
    """

    __slots__ = ("layer", "call_args", "call_kwargs", "outputs", "outbound_nodes")

    def __init__(self, layer, call_args, call_kwargs, outputs=None):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.outbound_nodes: list[Node] = []
        for tensor in self.input_tensors:
            parent = tensor.node
            if parent is not None:
                parent.outbound_nodes.append(self)

    @property
    def input_tensors(self) -> list[KerasTensor]:
        leaves = pytree.tree_leaves((self.call_args, self.call_kwargs),
                                    is_leaf=lambda t: isinstance(t, KerasTensor))
        return [t for t in leaves if isinstance(t, KerasTensor)]

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return pytree.tree_leaves(self.outputs, is_leaf=lambda t: isinstance(t, KerasTensor))

    @property
    def parent_nodes(self) -> list["Node"]:
        return [t.node for t in self.input_tensors if t.node is not None]

    def detach(self) -> None:
        """Removes this node from its layer and from its parents' outbound edges.

        Later nodes of the same layer are renumbered, and this node's outputs are marked as
        belonging to a removed graph (their `node` is None), so no stale index can point at
        another call.
        """
        nodes = self.layer.__dict__.get("_inbound_nodes", [])
        if self not in nodes:
            return
        index = nodes.index(self)
        del nodes[index]
        for later_index, later in enumerate(nodes[index:], start=index):
            for tensor in later.output_tensors:
                tensor.history = (later.layer, later_index, tensor.history[2])
        for tensor in self.output_tensors:
            tensor.history = (self.layer, None, tensor.history[2])
        for parent in self.parent_nodes:
            parent.outbound_nodes[:] = [n for n in parent.outbound_nodes if n is not self]

    def __repr__(self) -> str:
        return f"<Node layer={getattr(self.layer, 'name', self.layer)!r}>"


def get_source_inputs(tensor) -> list:
    """The input tensors (`Input`s) that `tensor` is computed from, as Keras lists them.

    Keras walks each node's inputs depth first and keeps the first occurrence of each source;
    a tensor with no history (not symbolic) is returned as it is.

    Example:
        >>> a, b = lamina.Input((2,), name="a"), lamina.Input((2,), name="b")
        >>> total = lamina.layers.Add()([lamina.layers.Dense(2)(b), a])
        >>> [t.name for t in lamina.utils.get_source_inputs(total)]
        ['b', 'a']
    """
    if not isinstance(tensor, KerasTensor):
        return tensor
    node = tensor.node
    if node is None:
        return [tensor]
    inputs = node.input_tensors
    if not inputs:  # an Input's own node
        return node.output_tensors
    sources: list = []
    for parent in inputs:
        for source in get_source_inputs(parent):
            if all(source is not known for known in sources):
                sources.append(source)
    return sources
