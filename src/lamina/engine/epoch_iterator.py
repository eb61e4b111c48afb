"""The data-source protocol and the epoch iterator the loops run on.

A data source is what `fit`, `evaluate` and `predict` were given, already on the device:
`ArrayData` (arrays, gathered by index on the device) or `IterableData` (generators, torch
DataLoaders, torch Datasets, PyDatasets). Both follow `DataSource`. The `EpochIterator` turns
one epoch of a source into groups of `steps_per_execution` batches — what one call of a train
function runs — and, for captured steps, gives every batch the same shape: a last batch that
is short is padded to `batch_size`, and `Batch.valid` says how many of its rows are real, so
that the loss and the metrics count only those.

Example:
    >>> from lamina.engine.data import ArrayData
    >>> data = ArrayData(torch.zeros(10, 2), torch.zeros(10))
    >>> [(begin, end, len(group)) for begin, end, group in EpochIterator(data, 4, steps_per_execution=2)]
    [(0, 1, 2), (2, 2, 1)]
    >>> [b.x.shape[0] for _, _, g in EpochIterator(data, 4, pad_to_batch_size=True) for b in g]
    [4, 4, 4]
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple, Protocol

import torch
from torch.utils import _pytree as pytree

__all__ = ["Batch", "DataSource", "EpochIterator", "pad_batch"]


class DataSource(Protocol):
    """What the engine needs of its data (`ArrayData`, `IterableData`).

    `batches(batch_size, shuffle, steps)` yields one epoch's `(x, y, sample_weight)` device
    tensors: one pass, or `steps` batches (a training source resumes the pass it left).
    `steps(batch_size)` is the number of batches in a pass (None when unknown), `exhausted`
    says that a one-shot generator has run dry, and `first_batch()` is the batch that builds
    the model.
    """

    exhausted: bool

    def batches(self, batch_size: int, shuffle: bool = False, steps: int | None = None): ...

    def steps(self, batch_size: int) -> int | None: ...

    def first_batch(self): ...


class Batch(NamedTuple):
    """One step's data; `valid` is None, or the count of real rows of a padded batch."""

    x: object
    y: object = None
    sample_weight: object = None
    valid: int | None = None


class EpochIterator:
    """One epoch of a data source as `(begin_step, end_step, [Batch, ...])` groups.

    Args:
        data: a `DataSource`.
        batch_size: rows per batch (array sources; batched sources bring their own).
        shuffle: whether array rows are shuffled (a PyDataset's batches are reordered).
        steps: batches per epoch (`steps_per_epoch`), None for one pass.
        steps_per_execution: batches per group, i.e. per call of a train function.
        pad_to_batch_size: pad a short batch to `batch_size` rows (static shapes for a
            captured step); every batch's `valid` then says how many of its rows are real.
    """

    def __init__(self, data: DataSource, batch_size: int, shuffle: bool = False,
                 steps: int | None = None, steps_per_execution: int = 1,
                 pad_to_batch_size: bool = False):
        self.data = data
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps = steps
        self.steps_per_execution = max(1, int(steps_per_execution))
        self.pad_to_batch_size = pad_to_batch_size

    def num_steps(self) -> int | None:
        """Batches in this epoch, when known."""
        return self.steps or self.data.steps(self.batch_size)

    def __iter__(self) -> Iterator[tuple[int, int, list[Batch]]]:
        group, begin = [], 0
        for step, (x, y, sample_weight) in enumerate(
                self.data.batches(self.batch_size, self.shuffle, self.steps)):
            batch = Batch(x, y, sample_weight)
            if self.pad_to_batch_size:  # every batch says its real rows: one graph for all
                batch = pad_batch(batch, self.batch_size)
                if batch.valid is None:
                    batch = batch._replace(valid=_rows(batch.x))
            group.append(batch)
            if len(group) == self.steps_per_execution:
                yield begin, step, group
                group, begin = [], step + 1
        if group:
            yield begin, begin + len(group) - 1, group


def pad_batch(batch: Batch, batch_size: int) -> Batch:
    """`batch` with `batch_size` rows: a short one is padded with zeros, `valid` = real rows.

    Padding rows get zero sample weight in the engine's steps, so the loss (divided by the
    real rows) and every metric are those of the short batch.

    Example:
        >>> padded = pad_batch(Batch(torch.ones(3, 2), torch.ones(3)), 5)
        >>> tuple(padded.x.shape), padded.valid, padded.y.tolist()
        ((5, 2), 3, [1.0, 1.0, 1.0, 0.0, 0.0])
    """
    rows = _rows(batch.x)
    if rows >= batch_size:
        return batch
    pad = batch_size - rows
    x, y, sample_weight = (None if part is None else pytree.tree_map(
        lambda leaf: _pad_leaf(leaf, pad), part) for part in batch[:3])
    return Batch(x, y, sample_weight, valid=rows)


def _pad_leaf(leaf, pad: int):
    if not isinstance(leaf, torch.Tensor):
        return leaf
    filler = leaf.new_zeros((pad,) + tuple(leaf.shape[1:]))
    return torch.cat([leaf, filler])


def _rows(x) -> int:
    if isinstance(x, torch.Tensor):
        return int(x.shape[0])
    return int(next(leaf for leaf in pytree.tree_leaves(x) if isinstance(leaf, torch.Tensor)).shape[0])
