"""Ops called on Keras tensors record a graph node, as in Keras 3's functional API.

Every public op is wrapped once, when `lamina.ops` loads. On data the wrapper only calls the
op (a type check, then a `try`, which costs nothing unless it raises); when a `KerasTensor`
is among the arguments, the call becomes an `OperationLayer` node instead.

Example:
    >>> from lamina import ops
    >>> x = lamina.Input(shape=(4, 2))
    >>> ops.concatenate([x, ops.square(x)], axis=-1).shape
    (None, 4, 4)
"""
from __future__ import annotations

import functools

from torch.utils import _pytree as pytree

from lamina.ops.keras_tensor import KerasTensor
from lamina.utils.errors import OpArgumentError, OpAxisError

__all__ = ["accept_keras_tensors", "has_keras_tensor", "op_error"]

# Ops that describe a tensor rather than compute one: on a Keras tensor they answer from its
# shape and dtype (`ops.shape(x)` is `(None, 4)`), or refuse (`convert_to_numpy`).
_DESCRIPTIVE = {"shape", "ndim", "dtype", "is_tensor", "convert_to_numpy", "size",
                "cond", "while_loop", "fori_loop", "map", "vectorized_map"}


def has_keras_tensor(args, kwargs) -> bool:
    """Whether a `KerasTensor` is among the (nested) arguments."""
    return any(isinstance(leaf, KerasTensor) for leaf in
               pytree.tree_leaves((args, kwargs), is_leaf=lambda t: isinstance(t, KerasTensor)))


def _symbolic_aware(function):
    @functools.wraps(function)
    def op(*args, **kwargs):
        if args and type(args[0]) is KerasTensor:
            return KerasTensor._record_function(function, args, kwargs)
        try:
            return function(*args, **kwargs)
        except Exception as error:
            if not has_keras_tensor(args, kwargs):
                if type(error) in (RuntimeError, IndexError):  # torch's, from inside the op
                    raise op_error(function.__name__, args, kwargs, error) from None
                raise
        return KerasTensor._record_function(function, args, kwargs)

    return op


def op_error(name: str, args, kwargs, error: Exception) -> Exception:
    """Keras' kind of error for an op whose arguments do not fit (shapes that do not
    broadcast, an axis out of range), naming the op and the shapes it received, in place of
    torch's bare one.

    Example:
        >>> import torch
        >>> print(op_error("add", (torch.zeros(2, 3), torch.zeros(2, 4)), {}, RuntimeError("x")))
        `ops.add` cannot take arguments of shapes (2, 3), (2, 4): x
    """
    shapes = ", ".join(str(tuple(leaf.shape)) for leaf in pytree.tree_leaves((args, kwargs))
                       if hasattr(leaf, "shape"))
    message = f"`ops.{name}` cannot take arguments of shapes {shapes}: {str(error).splitlines()[0]}"
    return OpAxisError(message) if isinstance(error, IndexError) else OpArgumentError(message)


def accept_keras_tensors(namespace: dict, names) -> None:
    """Replaces each op `namespace[name]` by its Keras-tensor-aware wrapper."""
    for name in names:
        function = namespace[name]
        if name not in _DESCRIPTIVE and callable(function) and not isinstance(function, type):
            namespace[name] = _symbolic_aware(function)
