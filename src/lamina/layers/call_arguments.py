"""Which arguments of a layer call are tensors, the rule by which Keras fills in masks.

Keras fills `mask=` from the inputs' masks only when a call has one tensor argument (a list
such as `[x, y]` counts as one); with several (`GRU(...)(x, initial_state=s)`,
`layer(query, value)`) it fills `<argument>_mask` parameters instead, where `call` has them,
and `mask` stays unset.

Example:
    >>> import torch
    >>> tensor_argument_names(["inputs", "initial_state", "mask"], (torch.ones(1),),
    ...                       {"initial_state": [torch.ones(1)]})
    ['inputs', 'initial_state']
"""
from __future__ import annotations

import torch

from lamina.ops.keras_tensor import KerasTensor

__all__ = ["carried_mask", "tensor_argument_names"]


def tensor_argument_names(parameter_names: list, args: tuple, kwargs: dict) -> list:
    """The names of the call's tensor arguments (positional ones named by `parameter_names`),
    `mask` and `training` left out."""
    named = list(zip(parameter_names, args)) + list(kwargs.items())
    return [name for name, value in named
            if name not in ("mask", "training") and _is_tensor_argument(value)]


def _is_tensor_argument(value) -> bool:
    if isinstance(value, (torch.Tensor, KerasTensor)):
        return True
    if isinstance(value, (list, tuple)) and value:
        return all(item is None or _is_tensor_argument(item) for item in value) and any(
            item is not None for item in value)
    if isinstance(value, dict) and value:
        return all(item is None or _is_tensor_argument(item) for item in value.values())
    return False


def carried_mask(inputs):
    """The mask an input carries (`_keras_mask`); for a list of inputs, the list of their
    masks when any has one. None when there is none."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return getattr(inputs, "_keras_mask", None)
