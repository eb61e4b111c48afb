"""Keras' weight paths: `outer/inner/kernel` for a weight that layer `inner` creates while
layer `outer` builds or calls it.

So MultiHeadAttention's projections are `mha/query/kernel`, an LSTM's cell weights
`lstm/lstm_cell/kernel`, a Sequential's `sequential/dense/kernel`, and a layer built at top
level (a functional model's) `dense/kernel`, as in Keras 3. A layer's place is fixed the
first time it builds, is called or creates a weight: the path of the layer then building or
calling it (Keras' `_parent_path`); calling it elsewhere later does not move its weights.

Example:
    >>> attention = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")
    >>> attention.build((None, 4, 6), (None, 4, 6))
    >>> attention.weights[0].path
    'mha/query/kernel'
"""
from __future__ import annotations

import threading

__all__ = ["close_call_scope", "layer_path", "open_call_scope", "path_scope"]

# The layers now building or being called, innermost last: (layer, its path). Per thread,
# as nn.DataParallel calls replicas from several threads.
_local = threading.local()


def _open() -> list:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class path_scope:
    """Within the block, weights created by `layer` or by layers it builds are under its path."""

    __slots__ = ("layer", "pushed")

    def __init__(self, layer) -> None:
        self.layer = layer
        self.pushed = False

    def __enter__(self) -> path_scope:
        stack = _open()
        if not stack or stack[-1][0] is not self.layer:
            stack.append((self.layer, layer_path(self.layer)))
            self.pushed = True
        return self

    def __exit__(self, *exc_info) -> bool:
        if self.pushed:
            _open().pop()
        return False


def open_call_scope(layer) -> path_scope | None:
    """Opens `layer`'s path scope for a call, until one of its calls has completed (its
    sublayers are built by then); returns the scope to close, or None.

    Layer.__call__ uses this pair instead of a `with` block: torch.compile traces that call,
    and a settled layer's call then holds no context manager.
    """
    if "_path_settled" in layer.__dict__:
        return None
    scope = path_scope(layer)
    scope.__enter__()
    return scope


def close_call_scope(layer, scope: path_scope, completed: bool) -> None:
    """Closes what `open_call_scope` opened; a completed call settles the layer's paths."""
    scope.__exit__(None, None, None)
    if completed:
        layer.__dict__["_path_settled"] = True


def layer_path(layer) -> str:
    """`layer`'s path: its parent's path (fixed on first use) and its name."""
    parent = layer.__dict__.get("_parent_path")
    if parent is None:
        stack = _open()
        parent = stack[-1][1] if stack else ""
        layer.__dict__["_parent_path"] = parent
    return f"{parent}/{layer.name}" if parent else layer.name
