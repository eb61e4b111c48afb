"""The dataset that `image_dataset_from_directory` and its kin return: tf.data's methods on torch.

A `Dataset` is a re-iterable stream of elements (a tensor, or a tuple/dict of them; text as
NumPy arrays of `str`). Its methods (`map`, `batch`, `unbatch`, `shuffle`, `take`, `skip`,
`cache`, `prefetch`, `repeat`) return new datasets, lazily, as `tf.data.Dataset`'s do, and a
`for` loop starts a new pass each time. It is a `torch.utils.data.DataLoader`, so `fit`,
`evaluate` and `predict` take it as they take any DataLoader: one pass per epoch, `len()` batches.

Example:
    >>> ds = Dataset.from_tensor_slices((np.arange(5.0), np.arange(5) % 2)).batch(2)
    >>> len(ds), [tuple(x.shape) for x, _ in ds]
    (3, [(2,), (2,), (1,)])
    >>> [y.tolist() for _, y in ds.unbatch().take(3)]
    [0, 1, 0]
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import torch
from torch.utils import _pytree as pytree
from torch.utils.data import DataLoader, IterableDataset

from lamina import backend
from lamina.utils.dataset_elements import (
    as_leaf,
    as_sliceable,
    leading_size,
    own_memory,
    stack_elements,
)

__all__ = ["INFINITE", "UNKNOWN", "Dataset", "buffered_shuffle", "pass_rng"]

INFINITE = -1  # tf.data.INFINITE_CARDINALITY
UNKNOWN = -2  # tf.data.UNKNOWN_CARDINALITY
_AUTOTUNE = -1  # tf.data.AUTOTUNE, which Keras programs pass to prefetch()
_SAME = object()  # a stage keeps its parent's batch size
_NONE = object()  # no element


class Dataset(DataLoader):
    """A stream of elements with `tf.data.Dataset`'s transformations (Keras' returned datasets).

    Subclasses produce one pass of elements in `_iterate()`. Iterating yields torch tensors
    (text as NumPy arrays of `str`), so `images[0].numpy().astype("uint8")` works as in TF.

    Args:
        cardinality: the number of elements of one pass, `INFINITE` or `UNKNOWN`.
        batch_size: the batch size of the elements when they are batches, else None
            (what `split_dataset` re-batches with).

    Example:
        >>> ds = Dataset.from_tensor_slices(np.arange(6)).shuffle(6, seed=1).batch(3)
        >>> sorted(torch.cat(list(ds)).tolist())
        [0, 1, 2, 3, 4, 5]
    """

    def __init__(self, cardinality: int, batch_size: int | None = None):
        # fit() trusts a DataLoader's len() only when its `.dataset` has a length: a stream of
        # unknown or infinite length must not offer one.
        stream = _SizedStream(self) if cardinality >= 0 else _Stream(self)
        super().__init__(stream, batch_size=None)
        self._cardinality = cardinality
        self._batch_size = batch_size

    @classmethod
    def from_tensor_slices(cls, elements) -> Dataset:
        """A dataset of the slices of `elements` along their first axis (arrays, tensors, lists
        of strings; in a tuple or dict), as `tf.data.Dataset.from_tensor_slices`."""
        return _Slices(elements)

    def _iterate(self) -> Iterator:
        raise NotImplementedError

    def __iter__(self) -> Iterator:
        for element in self._iterate():
            yield pytree.tree_map(_numpy_friendly, element)

    def __len__(self) -> int:
        if self._cardinality == INFINITE:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def cardinality(self) -> int:
        """The number of elements of one pass; `INFINITE` (-1) or `UNKNOWN` (-2) when not
        finite or not known, as `tf.data.Dataset.cardinality` (a Python int here).

        Example:
            >>> Dataset.from_tensor_slices(np.arange(10)).batch(4).cardinality()
            3
        """
        return self._cardinality

    def __repr__(self) -> str:
        size = {INFINITE: "infinite", UNKNOWN: "unknown"}.get(self._cardinality, self._cardinality)
        return f"<Dataset elements={size} batch_size={self._batch_size}>"

    def as_numpy_iterator(self) -> Iterator:
        """Iterates the elements as NumPy arrays (`tf.data.Dataset.as_numpy_iterator`)."""
        for element in self:
            yield pytree.tree_map(lambda leaf: leaf.numpy() if isinstance(leaf, torch.Tensor) else leaf,
                                  element)

    def map(self, map_func: Callable, num_parallel_calls=None, deterministic=None, name=None) -> Dataset:
        """Applies `map_func` to each element; a tuple element is passed as separate arguments.

        `num_parallel_calls` and `deterministic` are accepted for tf.data code; the function runs
        in the calling process, in order, without autograd (as tf.data runs it outside any tape).
        """
        if not callable(map_func):
            raise TypeError(f"Argument `map_func` must be a function of the dataset's elements, e.g. "
                            f"lambda x, y: (x / 255.0, y). Received: map_func={map_func!r}")
        return _Map(self, map_func)

    def filter(self, predicate: Callable, name=None) -> Dataset:
        """The elements for which `predicate` (given a tuple element's parts as arguments) is
        true; the length becomes unknown, as in tf.data.

        Example:
            >>> ds = Dataset.from_tensor_slices(np.arange(6)).filter(lambda x: x % 2 == 0)
            >>> [int(x) for x in ds]
            [0, 2, 4]
        """
        if not callable(predicate):
            raise TypeError(f"Argument `predicate` must be a function of the dataset's elements "
                            f"returning a bool, e.g. lambda x, y: y < 5. Received: "
                            f"predicate={predicate!r}")
        return _Filter(self, predicate)

    def reduce(self, initial_state, reduce_func: Callable):
        """Folds the elements into one value: `state = reduce_func(state, element)` for each
        element, from `initial_state` (tf.data's `reduce`).

        Example:
            >>> int(Dataset.from_tensor_slices(np.arange(4)).reduce(0, lambda s, x: s + x))
            6
        """
        state = initial_state
        for element in self:
            state = reduce_func(state, element)
        return state

    def get_single_element(self, name=None):
        """The one element of a dataset that has exactly one (tf.data's method).

        Raises:
            ValueError: the dataset has no element, or more than one.
        """
        elements = iter(self)
        first = next(elements, _NONE)
        if first is _NONE or next(elements, _NONE) is not _NONE:
            count = "no element" if first is _NONE else "more than one element"
            raise ValueError(f"get_single_element() needs a dataset of exactly one element, but "
                             f"this one has {count}. Use `.take(1)` first, or iterate it.")
        return first

    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_calls=None,
              deterministic=None, name=None) -> Dataset:
        """Stacks `batch_size` consecutive elements (the last batch may be smaller)."""
        return _Batch(self, _positive_int(batch_size, "batch_size"), bool(drop_remainder))

    def unbatch(self, name=None) -> Dataset:
        """Splits each element along its first axis into single samples."""
        return _Unbatch(self)

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration=None,
                name=None) -> Dataset:
        """Shuffles through a buffer of `buffer_size` elements, anew on each pass by default."""
        return _Shuffle(self, _positive_int(buffer_size, "buffer_size"), seed,
                        True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration))

    def take(self, count: int, name=None) -> Dataset:
        """The first `count` elements (all of them for `count=-1`)."""
        return _Take(self, _count(count, "count"))

    def skip(self, count: int, name=None) -> Dataset:
        """All but the first `count` elements (none for `count=-1`)."""
        return _Skip(self, _count(count, "count"))

    def repeat(self, count: int | None = None, name=None) -> Dataset:
        """Repeats the passes `count` times (forever for None or -1)."""
        return _Repeat(self, -1 if count is None else _count(count, "count"))

    def cache(self, filename: str = "", name=None) -> Dataset:
        """Keeps the elements of the first complete pass in memory and replays them afterwards.

        A `filename` is accepted for tf.data code; the cache is held in memory either way.
        """
        return _Cache(self)

    def prefetch(self, buffer_size: int, name=None) -> Dataset:
        """Accepts tf.data's read-ahead call (`AUTOTUNE` is -1) and returns the same stream.

        No buffer is added: a directory dataset's long passes are already read ahead by its
        DataLoader worker processes (two batches per worker).
        """
        if isinstance(buffer_size, bool) or not isinstance(buffer_size, (int, np.integer)) \
                or (buffer_size < 0 and buffer_size != _AUTOTUNE):
            raise ValueError(f"Argument `buffer_size` must be a non-negative integer or AUTOTUNE (-1). "
                             f"Received: buffer_size={buffer_size!r}")
        return _Passthrough(self)


def _numpy_friendly(leaf):
    """A plain tensor viewed as a `DataTensor` (NumPy functions take it as an array)."""
    return leaf.as_subclass(backend.DataTensor) if type(leaf) is torch.Tensor else leaf


class _Stream(IterableDataset):
    """The DataLoader-facing view of a Dataset (its `.dataset`)."""

    def __init__(self, owner: Dataset):
        self.owner = owner

    def __iter__(self):
        return iter(self.owner)


class _SizedStream(_Stream):
    def __len__(self):
        return len(self.owner)


class _Stage(Dataset):
    """A transformation of a parent dataset."""

    def __init__(self, parent: Dataset, cardinality: int | None = None, batch_size=_SAME):
        super().__init__(parent._cardinality if cardinality is None else cardinality,
                         parent._batch_size if batch_size is _SAME else batch_size)
        self.parent = parent


class _Passthrough(_Stage):
    def _iterate(self):
        return iter(self.parent)


class _Map(_Stage):
    def __init__(self, parent, map_func):
        super().__init__(parent)
        self.map_func = map_func

    def _iterate(self):
        for element in self.parent:
            # No grad mode around the yield: the consumer's training step runs between yields.
            with torch.no_grad():
                result = self.map_func(*element) if isinstance(element, tuple) else self.map_func(element)
            yield pytree.tree_map(as_leaf, result)


class _Filter(_Stage):
    def __init__(self, parent, predicate):
        super().__init__(parent, cardinality=UNKNOWN if parent._cardinality != INFINITE
                         else INFINITE)
        self.predicate = predicate

    def _iterate(self):
        for element in self.parent:
            with torch.no_grad():
                keep = self.predicate(*element) if isinstance(element, tuple) else \
                    self.predicate(element)
            if bool(keep):
                yield element


class _Batch(_Stage):
    def __init__(self, parent, batch_size: int, drop_remainder: bool):
        size = parent._cardinality
        if size >= 0:
            size = size // batch_size if drop_remainder else math.ceil(size / batch_size)
        super().__init__(parent, size, batch_size)
        self.drop_remainder = drop_remainder

    def _iterate(self):
        if isinstance(self.parent, _Slices):  # arrays batch by slicing, not sample by sample
            yield from self.parent.slices(self._batch_size, self.drop_remainder)
            return
        chunk = []
        for element in self.parent:
            chunk.append(element)
            if len(chunk) == self._batch_size:
                yield stack_elements(chunk)
                chunk = []
        if chunk and not self.drop_remainder:
            yield stack_elements(chunk)


class _Unbatch(_Stage):
    def __init__(self, parent):
        super().__init__(parent, INFINITE if parent._cardinality == INFINITE else UNKNOWN, None)

    def _iterate(self):
        for element in self.parent:
            leaves, spec = pytree.tree_flatten(element)
            sizes = {leading_size(leaf) for leaf in leaves}
            if len(sizes) != 1:
                raise ValueError(f"Cannot unbatch an element whose parts have different first "
                                 f"dimensions: {sorted(sizes)}.")
            for index in range(sizes.pop()):
                yield pytree.tree_unflatten([leaf[index] for leaf in leaves], spec)


class _Shuffle(_Stage):
    def __init__(self, parent, buffer_size: int, seed, reshuffle_each_iteration: bool):
        super().__init__(parent)
        self.buffer_size = buffer_size
        self.seed = _seed_or_draw(seed)
        self.reshuffle_each_iteration = reshuffle_each_iteration
        self._passes = 0

    def _iterate(self):
        rng = pass_rng(self.seed, self._passes if self.reshuffle_each_iteration else 0)
        self._passes += 1
        return buffered_shuffle(self.parent, self.buffer_size, rng)


class _Take(_Stage):
    def __init__(self, parent, count: int):
        size = parent._cardinality
        if count >= 0:
            size = count if size == INFINITE else (min(size, count) if size >= 0 else UNKNOWN)
        super().__init__(parent, size)
        self.count = count

    def _iterate(self):
        return iter(self.parent) if self.count < 0 else itertools.islice(self.parent, self.count)


class _Skip(_Stage):
    def __init__(self, parent, count: int):
        size = parent._cardinality
        if size >= 0:
            size = 0 if count < 0 else max(0, size - count)
        super().__init__(parent, size)
        self.count = count

    def _iterate(self):
        return iter(()) if self.count < 0 else itertools.islice(self.parent, self.count, None)


class _Repeat(_Stage):
    def __init__(self, parent, count: int):
        size = parent._cardinality
        if size == 0 or count == 0:
            size = 0
        elif count < 0:
            size = INFINITE
        elif size >= 0:
            size *= count
        super().__init__(parent, size)
        self.count = count

    def _iterate(self):
        for _ in (itertools.count() if self.count < 0 else range(self.count)):
            produced = False
            for element in self.parent:
                produced = True
                yield element
            if not produced:  # an empty dataset repeated forever is still empty
                return


class _Cache(_Stage):
    def __init__(self, parent):
        super().__init__(parent)
        self._elements = None

    def _iterate(self):
        if self._elements is not None:
            yield from self._elements
            return
        recorded = []
        for element in self.parent:
            element = pytree.tree_map(own_memory, element)
            recorded.append(element)
            yield element
        self._elements = recorded  # only a complete pass is kept, as tf.data does


class _Slices(Dataset):
    """The samples of arrays along their first axis (`from_tensor_slices`)."""

    def __init__(self, elements):
        # As in tf.data, a list is one array (of strings, say); tuples and dicts are structure.
        leaves, self.spec = pytree.tree_flatten(elements, is_leaf=lambda value: isinstance(value, list))
        if not leaves:
            raise ValueError("Dataset.from_tensor_slices needs at least one array; received "
                             f"{elements!r}.")
        self.leaves = [as_sliceable(leaf) for leaf in leaves]
        sizes = {len(leaf) for leaf in self.leaves}
        if len(sizes) != 1:
            raise ValueError(f"All arrays must have the same first dimension; received sizes "
                             f"{sorted(sizes)}.")
        super().__init__(sizes.pop())

    def _iterate(self):
        for index in range(self._cardinality):
            yield pytree.tree_unflatten([leaf[index] for leaf in self.leaves], self.spec)

    def slices(self, batch_size: int, drop_remainder: bool):
        """The batches `batch(batch_size, drop_remainder)` makes, as slices of the arrays."""
        stop = self._cardinality - self._cardinality % batch_size if drop_remainder else self._cardinality
        for start in range(0, stop, batch_size):
            yield pytree.tree_unflatten([leaf[start:start + batch_size] for leaf in self.leaves], self.spec)


def pass_rng(seed: int, pass_index: int) -> np.random.Generator:
    """The random generator of one pass: the same seed and pass give the same order.

    Example:
        >>> pass_rng(3, 0).permutation(4).tolist() == pass_rng(3, 0).permutation(4).tolist()
        True
    """
    return np.random.default_rng([seed, pass_index])


def _seed_or_draw(seed) -> int:
    # Without a seed, one is drawn from NumPy's global generator, which
    # keras.utils.set_random_seed seeds: a seeded program shuffles the same way every run.
    if seed is None:
        return int(np.random.randint(2**31 - 1))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"Argument `seed` must be a non-negative integer or None. Received: seed={seed!r}")
    return int(seed)


def buffered_shuffle(items: Iterable, buffer_size: int, rng: np.random.Generator) -> Iterator:
    """tf.data's shuffle: fill a buffer, then emit a random buffered item for each new one.

    Example:
        >>> sorted(buffered_shuffle(range(5), 2, np.random.default_rng(0)))
        [0, 1, 2, 3, 4]
    """
    buffer: list[Any] = []
    slots: Iterator[int] = iter(())
    for item in items:
        if len(buffer) < buffer_size:
            buffer.append(item)
            continue
        slot = next(slots, None)
        if slot is None:  # drawn in blocks: one generator call per element is slow in Python
            slots = iter(rng.integers(buffer_size, size=1024).tolist())
            slot = next(slots)
        yield buffer[slot]
        buffer[slot] = item
    for slot in rng.permutation(len(buffer)):
        yield buffer[slot]


def _positive_int(value, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"Argument `{argument}` must be a positive integer. Received: "
                         f"{argument}={value!r}")
    return int(value)


def _count(value, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < -1:
        raise ValueError(f"Argument `{argument}` must be a non-negative integer, or -1 for all. "
                         f"Received: {argument}={value!r}")
    return int(value)
