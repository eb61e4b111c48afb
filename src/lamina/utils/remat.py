"""Rematerialization (gradient checkpointing): `remat(f)` recomputes `f`'s activations in the
backward pass instead of keeping them, through `torch.utils.checkpoint`.

Example:
    >>> x = torch.ones(3, requires_grad=True)
    >>> remat(lambda t: (t * t).sum())(x).backward()
    >>> x.grad.tolist()
    [2.0, 2.0, 2.0]
"""
from __future__ import annotations

import functools
import threading

import torch
import torch.utils.checkpoint

__all__ = ["remat", "RematScope", "get_current_remat_mode"]

_MODES = ("full", "activations", "larger_than", "list_of_layers", None)
_local = threading.local()


def _scopes() -> list:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def remat(f):
    """Wraps `f` so that its intermediate results are recomputed during backpropagation.

    On symbolic inputs (`keras.Input`), or when no gradient is being recorded, `f` runs as is.

    Args:
        f: A function or a layer.

    Returns:
        A function with `f`'s signature.
    """
    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        from lamina.ops.symbolic import has_keras_tensor  # the ops sit above utils

        if not torch.is_grad_enabled() or has_keras_tensor(args, kwargs):
            return f(*args, **kwargs)
        return torch.utils.checkpoint.checkpoint(f, *args, use_reentrant=False, **kwargs)

    return wrapped


class RematScope:
    """Records which layers should rematerialize: Keras' `RematScope` (the mode is recorded;
    lamina's layers do not read it yet, so use `remat` on the functions to checkpoint).

    Args:
        mode: 'full', 'activations', 'larger_than', 'list_of_layers' or None.
        output_size_threshold: The output size above which 'larger_than' applies.
        layer_names: The layers 'list_of_layers' applies to.

    Example:
        >>> with RematScope(mode="larger_than", output_size_threshold=2048):
        ...     get_current_remat_mode().output_size_threshold
        2048
    """

    def __init__(self, mode="full", output_size_threshold: int = 1024, layer_names=None):
        if mode not in _MODES:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', "
                             "'activations', 'larger_than', 'list_of_layers', or  None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []

    def __enter__(self) -> RematScope:
        _scopes().append(self)
        return self

    def __exit__(self, *exc_info) -> bool:
        _scopes().pop()
        return False


def get_current_remat_mode() -> RematScope | None:
    """The innermost open `RematScope` (its mode, threshold and layer names), or None."""
    stack = _scopes()
    return stack[-1] if stack else None
