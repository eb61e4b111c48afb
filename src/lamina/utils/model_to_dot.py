"""`model_to_dot`: the model's layer graph as a `pydot.Dot`, as Keras builds it for Graphviz.

pydot is optional: without it, `model_to_dot` raises Keras' ImportError (lamina's
`plot_model` draws the same graph with matplotlib and needs neither pydot nor Graphviz).

Example:
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    >>> try:
    ...     dot = model_to_dot(model)
    ... except ImportError as error:
    ...     print(error)
    You must install pydot (`pip install pydot`) for model_to_dot to work.
"""
from __future__ import annotations

import importlib

from lamina.utils.model_visualization import _label, model_graph

__all__ = ["model_to_dot"]

_PYDOT_MODULES = ("pydot", "pydot_ng", "pydotplus")  # Keras also accepts the older forks


def _import_pydot():
    for name in _PYDOT_MODULES:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to work.")


def model_to_dot(model, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 200, subgraph: bool = False, show_layer_activations: bool = False,
                 show_trainable: bool = False, splines: str = "ortho", **kwargs):
    """Converts a model's layer graph to a `pydot.Dot` (a `pydot.Cluster` with `subgraph`).

    One node per layer (input layers first, named by the layer's id, labelled as
    `plot_model` labels its boxes) and one edge per connection.

    Args:
        model: A built Sequential or functional model (a subclassed model is one node).
        show_shapes: Show output shapes. show_dtype: show dtypes.
        show_layer_names: Show names beside types.
        rankdir: 'TB' (vertical) or 'LR' (horizontal), Graphviz's `rankdir`.
        expand_nested: Accepted for Keras code; nested models are one node.
        dpi: The image resolution Graphviz uses.
        subgraph: Return a `pydot.Cluster` (for embedding) instead of a `pydot.Dot`.
        show_layer_activations: Show activations. show_trainable: mark frozen layers.
        splines: Graphviz's edge style.

    Returns:
        The `pydot.Dot` (or `pydot.Cluster`).

    Raises:
        ValueError: The model is not built, or an unknown keyword argument was passed.
        ImportError: pydot is not installed.
    """
    if not getattr(model, "built", True):
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    pydot = _import_pydot()
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    dot = _empty_graph(pydot, model, subgraph, rankdir, dpi, splines)
    boxes, edges = model_graph(model)
    for layer in boxes:
        label = _label(layer, show_shapes, show_dtype, show_layer_names,
                       show_layer_activations, show_trainable)
        dot.add_node(pydot.Node(str(id(layer)), label=label))
    for source, target in edges:
        dot.add_edge(pydot.Edge(str(id(boxes[source])), str(id(boxes[target]))))
    return dot


def _empty_graph(pydot, model, subgraph, rankdir, dpi, splines):
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
        return dot
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set("splines", splines)
    dot.set_node_defaults(shape="record")
    return dot
