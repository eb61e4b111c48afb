"""A dataset whose batches are gathered by index: files decoded in worker processes, or windows.

`IndexedDataset(size, fetch, batch_size)` hands `fetch` the sample indices of one batch at a
time and yields what it returns. Each pass reads its first batch in the calling process and
times it; when the rest would take longer than starting worker processes costs, the rest is
read by `torch.utils.data` workers (a DataLoader over batches of indices), so Pillow decodes
images on every core while the training step runs. The batches arrive in order either way.

Example:
    >>> ds = IndexedDataset(5, lambda indices: torch.as_tensor(indices) * 10, batch_size=2)
    >>> [batch.tolist() for batch in ds]
    [[0, 10], [20, 30], [40]]
"""
from __future__ import annotations

import math
import os
import time
from collections.abc import Callable

import numpy as np
import torch
from torch.utils import _pytree as pytree
from torch.utils.data import DataLoader
from torch.utils.data import Dataset as TorchDataset

from lamina.utils.dataset import Dataset, buffered_shuffle, pass_rng

__all__ = ["IndexedDataset", "default_workers"]

_UNBATCHED_CHUNK = 32  # indices fetched at once when the dataset yields single samples
# Starting worker processes and getting their first batch takes about 0.1 s (fork, pipes,
# queues); workers are started only when the calling process would need several times that.
WORKERS_PAY_OFF_SECONDS = 0.5
_MAX_WORKERS = 8


def default_workers() -> int:
    """Worker processes for reading files: one per usable CPU core, at most 8.

    Example:
        >>> 1 <= default_workers() <= 8
        True
    """
    return max(1, min(len(os.sched_getaffinity(0)), _MAX_WORKERS))


class IndexedDataset(Dataset):
    """Batches built by `fetch(indices)` over samples `0 .. size-1`.

    Args:
        size: the number of samples.
        fetch: called with a 1-D int64 NumPy array of sample indices; returns that batch (a
            tensor, or a tuple/dict of tensors and string arrays). Must be picklable when
            `workers > 0`.
        batch_size: samples per batch; None yields single samples.
        labels: a tensor of all samples' labels, or None; given, elements are
            `(fetched, labels)`, gathered in the calling process (no worker needs them).
        shuffle: whether each pass reorders the samples through a shuffle buffer.
        buffer_size: that buffer's size (Keras uses 8 batches, or 1024 samples unbatched).
        seed: the shuffle seed; pass `k` uses `pass_rng(seed, k)`.
        workers: at most this many worker processes run `fetch` (when a pass is long enough
            to pay for starting them); 0 always runs it in the calling process.
    """

    def __init__(self, size: int, fetch: Callable, batch_size: int | None, labels=None,
                 shuffle: bool = False, buffer_size: int | None = None, seed: int = 0,
                 workers: int = 0):
        super().__init__(size if batch_size is None else math.ceil(size / batch_size), batch_size)
        self.size = size
        self.fetch = fetch
        self.labels = labels
        self.shuffle_samples = shuffle
        self.buffer_size = buffer_size or (1024 if batch_size is None else 8 * batch_size)
        self.seed = seed
        self.workers = workers
        self._passes = 0

    def _batch_indices(self) -> list[np.ndarray]:
        order = np.arange(self.size, dtype=np.int64)
        if self.shuffle_samples:
            rng = pass_rng(self.seed, self._passes)
            order = np.fromiter(buffered_shuffle(order, self.buffer_size, rng), np.int64, self.size)
        self._passes += 1
        step = self._batch_size or _UNBATCHED_CHUNK
        return [order[start:start + step] for start in range(0, self.size, step)]

    def _iterate(self):
        chunks = self._batch_indices()
        batches = self._fetch_all(chunks)
        if self.labels is not None:
            batches = ((batch, self.labels[torch.from_numpy(chunk)]) for batch, chunk in zip(batches, chunks))
        if self._batch_size is not None:
            yield from batches
            return
        for batch in batches:
            leaves, spec = pytree.tree_flatten(batch)
            for row in range(len(leaves[0])):
                yield pytree.tree_unflatten([leaf[row] for leaf in leaves], spec)


    def _fetch_all(self, chunks: list[np.ndarray]):
        """Yields `fetch(chunk)` for each chunk, in order, the rest in workers when that pays."""
        if not chunks:
            return
        started = time.perf_counter()
        first = self._fetch_here(chunks[0])
        remaining_seconds = (time.perf_counter() - started) * (len(chunks) - 1)
        rest = chunks[1:]
        if self.workers > 0 and len(rest) > 1 and remaining_seconds > WORKERS_PAY_OFF_SECONDS:
            # The workers start here, before the first batch is handed out, to overlap with it.
            loader = iter(DataLoader(_Fetcher(self.fetch), sampler=rest, batch_size=None,
                                     num_workers=min(self.workers, len(rest)), collate_fn=_unchanged))
            yield first
            for batch in loader:
                yield pytree.tree_map(_as_tensor, batch)
            return
        yield first
        yield from map(self._fetch_here, rest)

    def _fetch_here(self, chunk: np.ndarray):
        """`fetch` in the calling process, on one thread as in a worker process: torch's bilinear
        resize rounds differently on several threads, and both paths must give the same batch."""
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self.fetch(chunk)
        finally:
            torch.set_num_threads(threads)


class _Fetcher(TorchDataset):
    """Map-style torch dataset whose "index" is a whole batch of sample indices."""

    def __init__(self, fetch: Callable):
        self.fetch = fetch

    def __getitem__(self, indices):
        return pytree.tree_map(_small_as_numpy, self.fetch(indices))


# Sending a tensor to the main process costs a shared-memory segment and a socket round trip
# (~0.5 ms); a NumPy array goes pickled through the pipe, cheaper below about half a megabyte
# (a batch of 32 small images: 0.1 ms instead of 0.6 ms).
_PICKLE_BELOW_BYTES = 512 * 1024


def _small_as_numpy(leaf):
    if isinstance(leaf, torch.Tensor) and leaf.numel() * leaf.element_size() < _PICKLE_BELOW_BYTES:
        return leaf.numpy()
    return leaf


def _as_tensor(leaf):
    if isinstance(leaf, np.ndarray) and leaf.dtype != object:
        return torch.from_numpy(leaf)
    return leaf


def _unchanged(batch):
    return batch
