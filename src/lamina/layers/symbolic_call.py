"""A layer called on `KerasTensor`s: build it, infer its output spec, record a `Node`.

Example:
    >>> x = lamina.Input(shape=(None, 8))
    >>> lamina.layers.Dense(4)(x).shape
    (None, None, 4)
"""
from __future__ import annotations

import warnings

from torch.utils import _pytree as pytree

from lamina import tree
from lamina.layers.call_arguments import carried_mask
from lamina.layers.shape_inference import infer_mask_spec, infer_output_spec
from lamina.layers.weight_paths import path_scope
from lamina.ops.keras_tensor import KerasTensor
from lamina.ops.node import Node
from lamina.utils.errors import user_stacklevel

__all__ = ["call_symbolic", "is_symbolic", "symbolic_shapes", "warn_if_mask_dropped"]


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
    recorded_mask = _recorded_mask(layer, args, kwargs)
    recorded_kwargs = kwargs if recorded_mask is None else {**kwargs, "mask": recorded_mask}
    # An explicit `training=` stays in the node (always-on dropout, Monte Carlo dropout): the
    # graph passes it when the model is called without one, and the saved config keeps it.
    kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    inputs = args[0] if args else kwargs.get("inputs")
    layer.check_input_compatibility(inputs)
    # The mask reaches `call` during inference as Keras passes it; the node records it only
    # where Keras' does (see `_recorded_mask`), since the graph recomputes a carried mask
    # from the real tensors when it runs.
    spec_kwargs = dict(kwargs)
    mask = layer._input_mask(args, spec_kwargs)
    if mask is not None:
        warn_if_mask_dropped(layer, mask)
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
    nodes.append(Node(layer, args, recorded_kwargs, outputs))
    _attach_symbolic_mask(layer, inputs, mask, outputs)
    return outputs


def _recorded_mask(layer, args, kwargs):
    """The input's mask where Keras' node records it as the call's `mask=`, else None.

    Keras fills in `mask` for a layer whose `call` takes one when the input carries a mask. Its
    node keeps that for a nested model always, and for a layer only in a call with no keyword
    arguments and one tensor of the layer's compute dtype (otherwise Keras' input conversion
    has copied the kwargs first). A mask made by graph operations (`not_equal` for
    `Embedding(mask_zero=True)`) then becomes an input of the node: the summary lists it under
    "Connected to", and the graph feeds it when it runs.
    """
    if not layer._call_accepts_mask or "mask" in kwargs or len(args) != 1:
        return None
    if layer._convert_input_args and (kwargs or not isinstance(args[0], KerasTensor)
                                      or args[0].dtype != layer.compute_dtype):
        return None
    mask = carried_mask(args[0])
    if not any(isinstance(m, KerasTensor) and m.node is not None for m in tree.flatten(mask)):
        return None
    return mask


def warn_if_mask_dropped(layer, mask) -> None:
    """Keras' warning when a masked input reaches a layer that does not support masking (a
    Flatten or Conv1D after `Embedding(mask_zero=True)`): the mask stops there."""
    if (layer.supports_masking or layer._computes_own_mask
            or getattr(layer, "_is_operation", False)
            or all(m is None for m in tree.flatten(mask))
            or layer.__dict__.get("_warned_mask_dropped")):
        return
    # Once per layer, as Keras' warning shows (its registry keys it to one line in Keras):
    # not again at each build, fit and predict of the same model.
    layer.__dict__["_warned_mask_dropped"] = True
    warnings.warn(f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input "
                  f"with a mask attached to it. However, this layer does not support masking "
                  f"and will therefore destroy the mask information. Downstream layers will "
                  f"not see the mask.", stacklevel=user_stacklevel())


def _attach_symbolic_mask(layer, inputs, mask, outputs) -> None:
    """Gives the outputs the mask the layer computes from the call's `mask` (as
    `Layer._input_mask` found it): as Keras tensors of graph operations when its
    `compute_mask` runs on Keras tensors (built-in layers and `keras.ops` code do), else as
    shape-and-dtype stand-ins."""
    if mask is None and not layer._computes_own_mask:
        return
    masks = _symbolic_masks(layer, inputs, mask)
    if masks is None:
        specs = infer_mask_spec(layer, inputs, mask)
        if specs is None:
            return
        masks = [None if spec is None else KerasTensor(spec[0], dtype=spec[1])
                 for spec in (specs if isinstance(specs, list) else [specs])]
    outputs_list = outputs if isinstance(outputs, list) else [outputs]
    for output, output_mask in zip(outputs_list, masks):
        if isinstance(output, KerasTensor) and output_mask is not None:
            output._keras_mask = output_mask


def _symbolic_masks(layer, inputs, mask) -> list | None:
    """`layer.compute_mask` run on the Keras tensors themselves, flattened (None entries kept);
    None when it cannot run on them (code written with torch functions)."""
    try:
        computed = layer.compute_mask(inputs, mask)
    except Exception:  # noqa: BLE001 - the stand-in path describes such masks instead
        return None
    if computed is None:
        return []
    flat = tree.flatten(computed)
    if not all(m is None or isinstance(m, KerasTensor) for m in flat):
        return None
    return flat


def _output_specs(layer, inputs, args, kwargs):
    """From the layer's own `compute_output_shape` when it has one, else by running `call`."""
    if layer.has_own_output_shape():
        shape = layer.compute_output_shape(symbolic_shapes(inputs))
        dtype = layer.compute_dtype
        if isinstance(shape, dict):
            return {key: (tuple(one), dtype) for key, one in shape.items()}
        if isinstance(shape, list) or (isinstance(shape, tuple) and shape and isinstance(shape[0], tuple)):
            return [(tuple(s), dtype) for s in shape]
        return tuple(shape), dtype
    return infer_output_spec(layer, args, kwargs)


def _is_spec(value) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str)
            and isinstance(value[0], tuple))
