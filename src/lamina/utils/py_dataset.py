"""`PyDataset` (TF-2: `Sequence`): a dataset written in Python that hands `fit` whole batches.

Example:
    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         x = np.arange(4, dtype="float32").reshape(4, 1) + 4 * index
    ...         return x, x ** 2
    >>> [x.shape for x, _ in Squares()]
    [(4, 1), (4, 1)]
"""
from __future__ import annotations

import itertools
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Iterator

__all__ = ["PyDataset", "Sequence", "iterate_batches"]


class PyDataset:
    """Base class for a dataset that builds its batches in Python code (Keras' `PyDataset`).

    Subclasses implement `__len__` (the number of *batches*) and `__getitem__(index)` (one
    whole batch: `x`, `(x,)`, `(x, y)`, `(x, y, sample_weight)` or a dict of inputs), and
    may implement `on_epoch_begin()` / `on_epoch_end()`, which `fit` calls once per epoch.
    An infinite dataset returns None from `num_batches` instead of defining `__len__`.

    Args:
        workers: threads that build batches ahead of the training step when above 1.
        use_multiprocessing: accepted for Keras compatibility; lamina prefetches with
            threads only (the step runs in PyTorch, which releases the GIL).
        max_queue_size: how many batches may be built ahead of the step.

    Example:
        >>> class Ones(PyDataset):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, index):
        ...         return np.ones((2, 4)), np.zeros(2)
        >>> Ones(workers=2).num_batches
        3
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self) -> None:
        missing = [name for name in ("_workers", "_use_multiprocessing", "_max_queue_size")
                   if not hasattr(self, name)]
        if not missing:
            return
        self._workers = getattr(self, "_workers", 1)
        self._use_multiprocessing = getattr(self, "_use_multiprocessing", False)
        self._max_queue_size = getattr(self, "_max_queue_size", 10)
        warnings.warn("Your `PyDataset` class should call `super().__init__(**kwargs)` in its "
                      "constructor. `**kwargs` can include `workers`, `use_multiprocessing`, "
                      "`max_queue_size`. Do not pass these arguments to `fit()`, as they will be "
                      "ignored.", stacklevel=3)

    @property
    def workers(self) -> int:
        self._warn_if_super_not_called()
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        self._warn_if_super_not_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        self._warn_if_super_not_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        """The batch at position `index`."""
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(self, index)` "
                                  f"returning one batch, e.g. `return x_batch, y_batch`.")

    @property
    def num_batches(self) -> int | None:
        """The number of batches (`len(self)`), or None for an infinite dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__(self)` (the number "
                                  f"of batches) or a `num_batches` property returning None for an "
                                  f"infinite dataset.")

    def __iter__(self) -> Iterator:
        count = self.num_batches
        indices = itertools.count() if count is None else range(count)
        return (self[index] for index in indices)

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (e.g. to reshuffle the samples)."""


Sequence = PyDataset  # the TF-2 name (`keras.utils.Sequence`), still exported by Keras 3


def iterate_batches(dataset: Any, indices: Iterable[int]) -> Iterator:
    """Yields `dataset[i]` for each index in order, built ahead by threads when `workers > 1`.

    Args:
        dataset: a `PyDataset` (or any object with `__getitem__`).
        indices: the batch indices of one pass, in the order to yield them.

    Returns:
        An iterator over the batches.

    Example:
        >>> list(iterate_batches([10, 11, 12], [2, 0]))
        [12, 10]
    """
    workers = getattr(dataset, "workers", 1) or 1
    if workers <= 1:
        return (dataset[index] for index in indices)
    depth = max(int(getattr(dataset, "max_queue_size", 10) or 1), workers)
    return _prefetched(dataset, iter(indices), workers, depth)


def _prefetched(dataset, indices: Iterator[int], workers: int, depth: int) -> Iterator:
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lamina-pydataset")
    pending = deque(pool.submit(dataset.__getitem__, index) for index in itertools.islice(indices, depth))
    try:
        while pending:
            batch = pending.popleft().result()
            for index in itertools.islice(indices, 1):
                pending.append(pool.submit(dataset.__getitem__, index))
            yield batch
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
