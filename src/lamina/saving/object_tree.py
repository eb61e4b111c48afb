"""The paths under which Keras files store each object's variables (`layers/dense/vars/0`).

Keras names a saved object by the attribute that holds it, not by its user-given name:
a Sequential or functional model's `layers` list first, each item named by its class in
snake case made unique (`dense`, `dense_1`), then the other attributes in sorted order,
public before private (`optimizer`, `cell`, `query_dense`, `forward_layer`), each object
once. The walk here follows the same rules over lamina's objects, so that the paths agree
with files written by Keras.

Example:
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2),
    ...                            lamina.layers.Dense(1)])
    >>> [path for path, _ in saveables(model)]
    ['', 'layers/dense', 'layers/dense_1']
"""
from __future__ import annotations

from torch import nn

from lamina.layers.layer import Layer
from lamina.optimizers.base import Optimizer
from lamina.utils.naming import to_snake_case

__all__ = ["own_weights", "saveables"]


def saveables(root) -> list[tuple[str, object]]:
    """Every layer and optimizer reachable from `root`, each with its Keras path, root first."""
    found: list[tuple[str, object]] = []
    visited: set[int] = set()

    def visit(obj, path: str) -> None:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        found.append((path, obj))
        for attribute, child in _children(obj):
            child_path = f"{path}/{attribute}" if path else attribute
            if _is_saveable(child):
                visit(child, child_path)
            elif _is_container(child):
                visit_container(child, child_path)

    def visit_container(container, path: str) -> None:
        used: dict[str, int] = {}
        items = container.values() if isinstance(container, (dict, nn.ModuleDict)) else container
        for item in items:
            if _is_saveable(item):
                visit(item, f"{path}/{_unique_name(to_snake_case(type(item).__name__), used)}")
            elif _is_container(item):
                visit_container(item, f"{path}/{_unique_name('container', used)}")

    visit(root, "")
    return found


def own_weights(obj) -> list:
    """A layer's own weights, in `save_own_variables`' order (not its sublayers'), or []."""
    if not isinstance(obj, Layer):
        return []
    sub = {id(w) for child in obj._sublayers() for w in child.weights}
    return [w for w in obj.weights if id(w) not in sub]


def _children(obj):
    """(attribute, value) pairs in the order Keras visits them."""
    from lamina.models import Functional, Model, Sequential

    if isinstance(obj, Optimizer):
        # A LossScaleOptimizer's inner optimizer has its own group, as Keras writes it.
        inner = getattr(obj, "inner_optimizer", None)
        return [("inner_optimizer", inner)] if isinstance(inner, Optimizer) else []
    if not isinstance(obj, Layer):
        return []
    graph_model = isinstance(obj, (Sequential, Functional))
    entries: dict[str, object] = {}
    if isinstance(obj, Model) and not graph_model:
        entries["layers"] = obj.layers
    for name, child in obj._modules.items():
        if child is None or (graph_model and name.startswith("_")):
            # A graph model's internals (its layer stack, its input layer) are its `layers`.
            continue
        entries.setdefault(_public_name(obj, name, child), child)
    if isinstance(obj, Model) and getattr(obj, "optimizer", None) is not None:
        entries["optimizer"] = obj.optimizer
    ordered = sorted(entries, key=_name_key)
    head = [("layers", obj.layers)] if graph_model else []
    return head + [(name, entries[name]) for name in ordered]


def _public_name(obj, name: str, child) -> str:
    """`query_dense` for a sublayer kept as `_query_dense` behind a public property of that name."""
    if name.startswith("_"):
        public = name.lstrip("_")
        try:
            if public and getattr(obj, public, None) is child:
                return public
        except (AttributeError, RuntimeError, TypeError, ValueError):
            # A property that cannot be read now (an unbuilt layer's) is no alias.
            return name
    return name


def _name_key(name: str) -> str:
    # Keras sorts private attributes after public ones.
    return f"~{name}" if name.startswith("_") else name


def _unique_name(name: str, used: dict) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _is_saveable(value) -> bool:
    return isinstance(value, (Layer, Optimizer))


def _is_container(value) -> bool:
    return isinstance(value, (list, tuple, dict, nn.ModuleList, nn.ModuleDict))
