"""A layer called on `KerasTensor`s: build it, infer its output spec, record a `Node`.

Example:
    >>> x = lamina.Input(shape=(None, 8))
    >>> lamina.layers.Dense(4)(x).shape
    (None, None, 4)
"""
from __future__ import annotations

from torch.utils import _pytree as pytree

from lamina.layers.shape_inference import infer_mask_spec, infer_output_spec
from lamina.layers.weight_paths import path_scope
from lamina.ops.keras_tensor import KerasTensor
from lamina.ops.node import Node

__all__ = ["call_symbolic", "is_symbolic", "symbolic_shapes"]


def is_symbolic(args, kwargs) -> bool:
    """Whether any argument of a call is a `KerasTensor` (so the call records a node)."""
    return any(isinstance(leaf, KerasTensor) for leaf in
               pytree.tree_leaves((args, kwargs), is_leaf=lambda t: isinstance(t, KerasTensor)))


def symbolic_shapes(value):
    """`value` with every KerasTensor replaced by its shape (lists of shapes stay lists)."""
    shapes = pytree.tree_map(lambda t: t.shape if isinstance(t, KerasTensor) else t, value,
                             is_leaf=lambda t: isinstance(t, KerasTensor))
    if isinstance(shapes, tuple) and shapes and isinstance(shapes[0], tuple):
        shapes = list(shapes)
    return shapes


def call_symbolic(layer, args, kwargs):
    """Records `layer(*args, **kwargs)` on symbolic inputs and returns symbolic outputs."""
    kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    inputs = args[0] if args else kwargs.get("inputs")
    layer.check_input_compatibility(inputs)
    # The mask reaches `call` during inference as Keras passes it; the node does not record
    # it, since the graph recomputes masks from the real tensors when it runs.
    spec_kwargs = kwargs
    if layer._call_accepts_mask and kwargs.get("mask") is None:
        carried = _carried_mask(inputs)
        if carried is not None:
            spec_kwargs = {**kwargs, "mask": carried}
    with path_scope(layer):  # sublayers built here get Keras' paths (`outer/inner/kernel`)
        if not layer.built:
            layer.build_from_call_arguments(args, kwargs)
        specs = _output_specs(layer, inputs, args, spec_kwargs)
    nodes = layer.__dict__.setdefault("_inbound_nodes", [])
    node_index = len(nodes)
    leaves, structure = pytree.tree_flatten(specs, is_leaf=_is_spec)
    tensors = [KerasTensor(shape, dtype=dtype, history=(layer, node_index, i))
               for i, (shape, dtype) in enumerate(leaves)]
    outputs = pytree.tree_unflatten(tensors, structure)
    if isinstance(outputs, tuple):
        outputs = list(outputs)
    layer._summary_output_shape = pytree.tree_map(lambda t: t.shape, outputs,
                                                  is_leaf=lambda t: isinstance(t, KerasTensor))
    nodes.append(Node(layer, args, kwargs, outputs))
    _attach_symbolic_mask(layer, inputs, kwargs, outputs)
    return outputs


def _attach_symbolic_mask(layer, inputs, kwargs, outputs) -> None:
    """Gives the outputs the symbolic mask the layer computes (shape and dtype only)."""
    mask = kwargs["mask"] if "mask" in kwargs else _carried_mask(inputs)
    if mask is None and not layer._computes_own_mask:
        return
    specs = infer_mask_spec(layer, inputs, mask)
    if specs is None:
        return
    outputs_list = outputs if isinstance(outputs, list) else [outputs]
    specs_list = specs if isinstance(specs, list) else [specs]
    for output, spec in zip(outputs_list, specs_list):
        if isinstance(output, KerasTensor) and spec is not None:
            output._keras_mask = KerasTensor(spec[0], dtype=spec[1])


def _carried_mask(inputs):
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return getattr(inputs, "_keras_mask", None)


def _output_specs(layer, inputs, args, kwargs):
    """From the layer's own `compute_output_shape` when it has one, else by running `call`."""
    if layer.has_own_output_shape():
        shape = layer.compute_output_shape(symbolic_shapes(inputs))
        dtype = layer.compute_dtype
        if isinstance(shape, list) or (isinstance(shape, tuple) and shape and isinstance(shape[0], tuple)):
            return [(tuple(s), dtype) for s in shape]
        return tuple(shape), dtype
    return infer_output_spec(layer, args, kwargs)


def _is_spec(value) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str)
            and isinstance(value[0], tuple))
