"""The elements of lamina's datasets: torch tensors, and NumPy arrays of `str` for text.

A batch element is a structure (tuple, dict) of leaves with a common first axis; these
helpers stack samples into batches and turn what user code returns into leaves.

Example:
    >>> stack_elements([(torch.tensor([1, 2]), "a"), (torch.tensor([3, 4]), "b")])
    (tensor([[1, 2],
            [3, 4]]), array(['a', 'b'], dtype=object))
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils import _pytree as pytree

from lamina import backend

__all__ = ["as_leaf", "as_sliceable", "leading_size", "own_memory", "stack_elements"]


def stack_elements(elements: list):
    """Stacks a list of same-structured elements leaf by leaf into one batch element.

    Example:
        >>> stack_elements([(torch.tensor(1), "a"), (torch.tensor(2), "b")])
        (tensor([1, 2]), array(['a', 'b'], dtype=object))
    """
    flat = [pytree.tree_flatten(element) for element in elements]
    spec = flat[0][1]
    if any(other != spec for _, other in flat):
        raise ValueError("Cannot batch elements of different structures; the first is "
                         f"{spec}, another differs.")
    columns = zip(*(leaves for leaves, _ in flat))
    return pytree.tree_unflatten([_stack(list(column)) for column in columns], spec)


def _stack(values: list):
    if isinstance(values[0], (str, bytes)):
        return np.array(values, dtype=object)
    try:
        return torch.stack([torch.as_tensor(value) for value in values])
    except RuntimeError as error:
        shapes = sorted({tuple(torch.as_tensor(value).shape) for value in values})
        raise ValueError(f"Cannot batch elements of different shapes {shapes}: resize or pad them "
                         f"to one shape first (e.g. in a map function).") from error


def as_leaf(value):
    """What a map function returned -> a dataset leaf (NumPy numbers become tensors)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return torch.from_numpy(value)
    if isinstance(value, (bool, int, float, np.generic)) and not isinstance(value, (np.str_, np.bytes_)):
        return torch.as_tensor(value)
    return value


def as_sliceable(leaf):
    """An array given to `from_tensor_slices` -> a tensor, or an object array for strings."""
    if isinstance(leaf, torch.Tensor):
        return leaf
    array = np.asarray(leaf)
    if array.dtype.kind in "USO":
        return array.astype(object)
    if array.ndim == 0:
        raise ValueError(f"Dataset.from_tensor_slices needs arrays with a first axis; received "
                         f"the scalar {leaf!r}.")
    return backend.from_numpy(array)


def own_memory(leaf):
    """A leaf safe to keep for long (what `cache()` stores)."""
    # Tensors from DataLoader workers live in shared memory, one file descriptor each: a cache
    # of thousands of batches would exhaust the process's descriptors, so it keeps copies.
    if isinstance(leaf, torch.Tensor) and leaf.is_shared():
        return leaf.clone()
    return leaf


def leading_size(leaf) -> int:
    """The first dimension of a batch leaf, or a ValueError for a scalar."""
    shape = getattr(leaf, "shape", None)
    if not shape:
        raise ValueError(f"Cannot unbatch an element with a scalar part ({leaf!r}): unbatch splits "
                         f"batches along their first axis.")
    return int(shape[0])
