"""Recognising data that arrives in batches: generators, torch DataLoaders and PyDatasets.

Example:
    >>> import numpy as np, torch
    >>> is_batch_source(iter([])), is_batch_source(np.zeros(3))
    (True, False)
    >>> source_kind(x for x in [])
    'generator'
"""
from __future__ import annotations

import types

from torch.utils.data import DataLoader, Dataset, IterableDataset

__all__ = ["is_batch_source", "is_py_dataset", "is_torch_dataset", "py_dataset_module",
           "source_kind"]


def is_batch_source(value) -> bool:
    """True for data that arrives batched: a generator/iterator, a DataLoader or a PyDataset."""
    return (is_py_dataset(value) or isinstance(value, DataLoader)
            or (hasattr(value, "__next__") and hasattr(value, "__iter__")))


def is_torch_dataset(value) -> bool:
    """True for a map-style `torch.utils.data.Dataset` (samples by index, batched by fit).

    Example:
        >>> is_torch_dataset(torch.utils.data.TensorDataset(torch.zeros(2)))
        True
    """
    return (isinstance(value, Dataset) and not isinstance(value, IterableDataset)
            and not is_py_dataset(value) and hasattr(value, "__len__"))


def py_dataset_module():
    """`lamina.utils.py_dataset`, imported late: lamina.utils itself imports the engine."""
    from lamina.utils import py_dataset

    return py_dataset


def is_py_dataset(value) -> bool:
    """True for a `keras.utils.PyDataset` (Keras' own PyDataset/Sequence subclasses too)."""
    return isinstance(value, py_dataset_module().PyDataset) or any(
        cls.__name__ in ("PyDataset", "Sequence") and cls.__module__.startswith(("keras", "tensorflow"))
        for cls in type(value).__mro__)


def source_kind(value) -> str:
    """How messages name a batched source: 'PyDataset', 'torch DataLoader', 'generator', ..."""
    if is_py_dataset(value):
        return "PyDataset"
    if isinstance(value, DataLoader):
        return "torch DataLoader"
    return "generator" if isinstance(value, types.GeneratorType) else f"iterator ({type(value).__name__})"
