"""`plot_model`: a diagram of a model's layer graph — branches and merges included — drawn with
matplotlib, so no Graphviz install is needed.

Example:
    >>> inputs = lamina.Input((8,), name="features")
    >>> left, right = lamina.layers.Dense(4)(inputs), lamina.layers.Dense(4)(inputs)
    >>> model = lamina.Model(inputs, lamina.layers.Add()([left, right]))
    >>> figure = plot_model(model, to_file=None)
    >>> len(model_graph(model)[1])  # edges: input to both Dense, both Dense to Add
    4
"""
from __future__ import annotations

import os
from typing import Any

from lamina.utils.plotting import import_pyplot, save_figure

__all__ = ["plot_model", "model_graph"]

_BOX_WIDTH, _BOX_HEIGHT = 3.2, 0.9
_GAP_ALONG, _GAP_ACROSS = 0.6, 0.5


def model_graph(model) -> tuple[list, list[tuple[int, int]]]:
    """The model's boxes (layers, input layers first) and edges as (source index, target index)."""
    nodes = getattr(model, "_nodes", None)
    if nodes is not None:  # functional: the recorded graph
        boxes = list(model._graph)
        index = {id(layer): i for i, layer in enumerate(boxes)}
        edges = []
        for node in nodes:
            for tensor in node.input_tensors:
                edge = (index[id(tensor.history[0])], index[id(node.layer)])
                if edge not in edges:
                    edges.append(edge)
        return boxes, edges
    layers = list(getattr(model, "layers", []))
    inputs = getattr(model, "inputs", None) or []
    if inputs:  # a built Sequential: its InputLayer, then the chain
        layers = [inputs[0].history[0]] + layers
    if not layers:
        return [model], []
    return layers, [(i, i + 1) for i in range(len(layers) - 1)]


def _depths(count: int, edges: list[tuple[int, int]]) -> list[int]:
    """Each box's rank: the longest path from a source, so every edge points forward."""
    depth = [0] * count
    for _ in range(count):
        changed = False
        for source, target in edges:
            if depth[target] < depth[source] + 1:
                depth[target], changed = depth[source] + 1, True
        if not changed:
            break
    return depth


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable) -> str:
    kind = layer.keras_class_name
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    if show_layer_activations and hasattr(layer, "activation"):
        lines[0] += f" · {getattr(layer.activation, '__name__', layer.activation)}"
    if show_trainable and layer.weights:
        lines[0] += " · trainable" if layer.trainable else " · frozen"
    if show_shapes:
        shape = getattr(layer, "batch_shape", None) or getattr(layer, "_summary_output_shape", None)
        lines.append(f"output: {shape if shape is not None else '?'}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'dtype', '?')}")
    return "\n".join(lines)


def plot_model(model, to_file: str | os.PathLike | None = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200, show_layer_activations: bool = False,
               show_trainable: bool = False, splines: str = "ortho", **kwargs: Any):
    """Draws the model's layers as boxes and their connections as arrows.

    Args:
        model: a built Sequential or functional model (a subclassed model shows as one box).
        to_file: where to save the picture ('.png', '.svg', '.pdf'); None saves nothing.
        show_shapes: print each layer's output shape.
        show_dtype: print each layer's dtype.
        show_layer_names: print layer names beside their types.
        rankdir: 'TB' (top to bottom) or 'LR' (left to right).
        expand_nested: accepted for Keras code; nested models show as one box.
        dpi: resolution of the saved raster image.
        show_layer_activations: print the activation of layers that have one.
        show_trainable: mark layers as trainable or frozen.
        splines: accepted for Keras code (graphviz' edge style); the arrows are straight.

    Returns:
        The matplotlib Figure (a notebook displays it inline). It is drawn with matplotlib,
        so no pydot or graphviz is needed.
    """
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"Argument `rankdir` of plot_model must be 'TB' or 'LR'. Received: rankdir={rankdir!r}")
    pyplot = import_pyplot()
    boxes, edges = model_graph(model)
    depth = _depths(len(boxes), edges)
    ranks: dict[int, list[int]] = {}
    for i, d in enumerate(depth):
        ranks.setdefault(d, []).append(i)
    widest = max(len(members) for members in ranks.values())
    positions = {}
    for d, members in ranks.items():
        for slot, i in enumerate(members):
            across = (slot - (len(members) - 1) / 2) * (_BOX_WIDTH + _GAP_ACROSS)
            along = -d * (_BOX_HEIGHT + _GAP_ALONG)
            positions[i] = (across, along) if rankdir == "TB" else (-along * 2.2, across / 2.2)
    span_across = widest * (_BOX_WIDTH + _GAP_ACROSS)
    span_along = len(ranks) * (_BOX_HEIGHT + _GAP_ALONG)
    size = (max(4.0, span_across), max(2.0, span_along)) if rankdir == "TB" else (
        max(4.0, span_along * 2.2), max(2.0, span_across / 2.2))
    figure, axis = pyplot.subplots(figsize=size)
    axis.set_axis_off()
    for source, target in edges:
        (x0, y0), (x1, y1) = positions[source], positions[target]
        axis.annotate("", xy=(x1, y1 + (_BOX_HEIGHT / 2 if rankdir == "TB" else 0)),
                      xytext=(x0, y0 - (_BOX_HEIGHT / 2 if rankdir == "TB" else 0)),
                      arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1.2})
    for i, layer in enumerate(boxes):
        x, y = positions[i]
        axis.text(x, y, _label(layer, show_shapes, show_dtype, show_layer_names,
                               show_layer_activations, show_trainable),
                  ha="center", va="center", fontsize=9, family="monospace",
                  bbox={"boxstyle": "round,pad=0.4", "facecolor": "#e8f0fe", "edgecolor": "#3366cc"})
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    axis.set_xlim(min(xs) - _BOX_WIDTH, max(xs) + _BOX_WIDTH)
    axis.set_ylim(min(ys) - _BOX_HEIGHT, max(ys) + _BOX_HEIGHT)
    if to_file is not None:
        save_figure(figure, to_file, dpi=dpi)
    return figure
