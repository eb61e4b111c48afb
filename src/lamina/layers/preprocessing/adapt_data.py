"""The batches that a preprocessing layer's `adapt(data)` learns from.

`data` is either array-like (a NumPy array, a tensor, a list of values or strings: one batch,
or slices of `batch_size` rows) or anything iterable that yields batches (a lamina
`Dataset` such as `text_dataset_from_directory(...).map(lambda x, y: x)`, a DataLoader,
a generator), of which `steps` batches are read when it is given.

Example:
    >>> [batch.tolist() for batch in adapt_batches(np.arange(5), "Normalization", batch_size=2)]
    [[0, 1], [2, 3], [4]]
"""
from __future__ import annotations

import itertools

import numpy as np
import torch

__all__ = ["adapt_batches"]


def adapt_batches(data, layer: str, batch_size: int | None = None, steps: int | None = None):
    """Yields the batches of `data` for `layer.adapt` (see the module docstring).

    Raises:
        ValueError: for batches of `(inputs, labels)`, with the `map` that keeps the inputs.
        TypeError: for data that is neither array-like nor iterable.
    """
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"Argument `steps` of {layer}.adapt must be a positive integer or None. "
                         f"Received: steps={steps!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or batch_size < 1):
        raise ValueError(f"Argument `batch_size` of {layer}.adapt must be a positive integer or "
                         f"None. Received: batch_size={batch_size!r}")
    if _is_array_like(data):
        yield from _slices(data, batch_size, steps)
        return
    if data is None or not hasattr(data, "__iter__"):
        raise TypeError(f"{layer}.adapt takes a NumPy array, a tensor, a list, or a dataset that "
                        f"yields batches of them; received {type(data).__name__}.")
    batches = iter(data)
    for batch in batches if steps is None else itertools.islice(batches, steps):
        if isinstance(batch, tuple) and len(batch) in (2, 3) and all(_is_array_like(b) for b in batch):
            raise ValueError(f"{layer}.adapt received batches of (inputs, labels), but learns from "
                             f"inputs only. Drop the labels first: "
                             f"`layer.adapt(dataset.map(lambda x, y: x))`.")
        yield batch


def _is_array_like(data) -> bool:
    return isinstance(data, (np.ndarray, torch.Tensor, list, tuple, str, bytes, np.generic))


def _slices(data, batch_size, steps):
    if batch_size is None or isinstance(data, (str, bytes, np.generic)) or np.ndim(data) == 0:
        yield data
        return
    starts = range(0, len(data), batch_size)
    for start in starts if steps is None else starts[:steps]:
        yield data[start:start + batch_size]
