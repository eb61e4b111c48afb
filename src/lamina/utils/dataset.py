"""The dataset that `image_dataset_from_directory` and its kin return: tf.data's methods on torch.

A `Dataset` is a re-iterable stream of elements (a tensor, or a tuple/dict of them; text as
NumPy arrays of `str`). Its methods (`map`, `filter`, `batch`, `unbatch`, `shuffle`, `take`,
`skip`, `cache`, `prefetch`, `repeat`, `concatenate`, `enumerate`, `apply`; `Dataset.zip`) return
new datasets, lazily, as `tf.data.Dataset`'s do, and a `for` loop starts a new pass each time. A
tf.data method it lacks raises an AttributeError that says so. It is a
`torch.utils.data.DataLoader`, so `fit`, `evaluate` and `predict` take it as they take any
DataLoader: one pass per epoch, `len()` batches.

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

    def concatenate(self, dataset: Dataset, name=None) -> Dataset:
        """The elements of this dataset, then those of `dataset` (tf.data's `concatenate`).

        As in tf.data, both must yield elements of one structure and dtypes (checked when the
        first element of `dataset` arrives: a lamina Dataset knows its elements only then).

        Example:
            >>> first = Dataset.from_tensor_slices(np.arange(3))
            >>> both = first.concatenate(Dataset.from_tensor_slices(np.arange(7, 9)))
            >>> [int(x) for x in both], both.cardinality()
            ([0, 1, 2, 7, 8], 5)
        """
        if not isinstance(dataset, Dataset):
            raise TypeError(f"Argument `dataset` must be a Dataset to append after this one's elements, "
                            f"e.g. first.concatenate(second). Received: dataset={dataset!r}")
        return _Concatenate(self, dataset)

    def enumerate(self, start: int = 0, name=None) -> Dataset:
        """Pairs each element with its index: `(index, element)`, the index an int64 scalar
        counting from `start` (tf.data's `enumerate`).

        Example:
            >>> [(int(i), int(x)) for i, x in Dataset.from_tensor_slices(np.arange(7, 9)).enumerate(5)]
            [(5, 7), (6, 8)]
        """
        if isinstance(start, bool) or not isinstance(start, (int, np.integer)):
            raise TypeError(f"Argument `start` must be an integer, the index of the first element. "
                            f"Received: start={start!r}")
        return _Enumerate(self, int(start))

    def apply(self, transformation_func: Callable) -> Dataset:
        """`transformation_func(self)`, which must return a Dataset (tf.data's `apply`), so that
        a reusable chain of transformations reads in line.

        Example:
            >>> Dataset.from_tensor_slices(np.arange(5)).apply(lambda ds: ds.batch(2)).cardinality()
            3
        """
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(f"Argument `transformation_func` must return a Dataset, e.g. "
                            f"lambda ds: ds.batch(32), but it returned an object of type "
                            f"{type(result).__name__}: "
                            f"{result!r}")
        return result

    @staticmethod
    def zip(*args, datasets=None, name=None) -> Dataset:
        """Zips datasets (a tuple or dict of them, nested or not) into one whose elements have
        that structure, stopping with the shortest (tf.data's `Dataset.zip`).

        `Dataset.zip(a, b)` and `Dataset.zip((a, b))` both yield `(element_a, element_b)`.

        Example:
            >>> a, b = Dataset.from_tensor_slices(np.arange(3)), Dataset.from_tensor_slices(np.arange(7, 9))
            >>> [(int(x), int(y)) for x, y in Dataset.zip(a, b)]
            [(0, 7), (1, 8)]
        """
        if args and datasets is not None:
            raise TypeError("Dataset.zip takes the datasets either as arguments or as `datasets=`, "
                            "not both: Dataset.zip(a, b) or Dataset.zip(datasets=(a, b)).")
        if datasets is None:
            if not args:
                raise TypeError("Dataset.zip needs at least one dataset: Dataset.zip(a, b).")
            datasets = args[0] if len(args) == 1 else args
        return _Zip(datasets)

    def __getattr__(self, name: str):
        # Only reached for names nothing defines: a tf.data method lamina lacks gets a message
        # that says so, anything else the usual error (with Python's "Did you mean" hint).
        if name in _TF_DATA_ONLY:
            hint = _TF_DATA_HINTS.get(name, "")
            raise AttributeError(f"'Dataset' object has no attribute '{name}': lamina's "
                                 f"Dataset has part of tf.data.Dataset's API, and not `{name}`. "
                                 f"{hint + ' ' if hint else ''}It has: {', '.join(_dataset_methods())}.",
                                 name=name, obj=self)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'", name=name,
                             obj=self)


# tf.data.Dataset's public names (TensorFlow 2.21) that lamina's Dataset does not implement.
_TF_DATA_ONLY = frozenset((
    "bucket_by_sequence_length", "choose_from_datasets", "counter", "element_spec", "fingerprint",
    "flat_map", "from_generator", "from_tensors", "group_by_window", "ignore_errors", "interleave",
    "list_files", "load", "options", "padded_batch", "ragged_batch", "random", "range", "rebatch",
    "rejection_resample", "sample_from_datasets", "save", "scan", "shard", "snapshot",
    "sparse_batch", "take_while", "unique", "window", "with_options"))
_TF_DATA_HINTS = {
    "element_spec": "To see the elements' shapes and dtypes, look at one: `next(iter(dataset))`.",
    "padded_batch": ("Pad the sequences to one length first (keras.utils.pad_sequences on the "
                     "arrays, or in `.map()`), then `.batch(batch_size)`."),
    "range": "`Dataset.from_tensor_slices(np.arange(start, stop, step))` yields the same numbers.",
    "rebatch": "`.unbatch().batch(batch_size)` yields the same batches.",
}


def _dataset_methods() -> list[str]:
    return sorted(name for name in vars(Dataset) if not name.startswith("_"))


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


class _Concatenate(Dataset):
    def __init__(self, first: Dataset, second: Dataset):
        sizes = (first._cardinality, second._cardinality)
        size = INFINITE if INFINITE in sizes else UNKNOWN if UNKNOWN in sizes else sum(sizes)
        batch_sizes = (first._batch_size, second._batch_size)
        super().__init__(size, None if None in batch_sizes else first._batch_size)
        self.first, self.second = first, second

    def _iterate(self):
        reference = _NONE
        for element in self.first:
            if reference is _NONE:
                reference = _element_spec(element)
            yield element
        for index, element in enumerate(self.second):
            if index == 0 and reference is not _NONE and _element_spec(element) != reference:
                raise TypeError(f"Incompatible dataset elements: concatenate() needs both datasets to "
                                f"yield one structure and dtypes, but the first yields "
                                f"{_describe(reference)} and the second "
                                f"{_describe(_element_spec(element))}. "
                                f"Map one of them to the other's structure (e.g. with `.map()`) first.")
            yield element


class _Enumerate(_Stage):
    def __init__(self, parent, start: int):
        super().__init__(parent, batch_size=None)
        self.start = start

    def _iterate(self):
        for index, element in zip(itertools.count(self.start), self.parent):
            yield torch.tensor(index, dtype=torch.int64), element


class _Zip(Dataset):
    def __init__(self, datasets):
        self.datasets, self.spec = pytree.tree_flatten(
            datasets, is_leaf=lambda value: isinstance(value, (Dataset, list)))
        for value in self.datasets:
            if not isinstance(value, Dataset):
                kind = ("a list, which tf.data does not accept here either: use a tuple"
                        if isinstance(value, list) else f"an object of type {type(value).__name__}")
                raise TypeError(f"Argument `datasets` of Dataset.zip must be datasets, or a tuple or "
                                f"dict of them; it holds {kind}. Received: {datasets!r}")
        sizes = [dataset._cardinality for dataset in self.datasets]
        finite = [size for size in sizes if size >= 0]
        size = UNKNOWN if UNKNOWN in sizes else min(finite) if finite else INFINITE
        batch_sizes = {dataset._batch_size for dataset in self.datasets}
        super().__init__(size, batch_sizes.pop() if len(batch_sizes) == 1 else None)

    def _iterate(self):
        for elements in zip(*self.datasets):
            yield pytree.tree_unflatten(list(elements), self.spec)


def _element_spec(element) -> tuple:
    """An element's structure and leaf dtypes, what tf.data requires datasets to share."""
    leaves, spec = pytree.tree_flatten(element)
    return spec, tuple(_leaf_dtype(leaf) for leaf in leaves)


def _leaf_dtype(leaf) -> str:
    if isinstance(leaf, (str, bytes)) or (isinstance(leaf, np.ndarray) and leaf.dtype.kind in "USO"):
        return "string"
    return str(getattr(leaf, "dtype", type(leaf).__name__))


def _describe(element_spec: tuple) -> str:
    spec, dtypes = element_spec
    return str(pytree.tree_unflatten(list(dtypes), spec)).replace("'", "")


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
