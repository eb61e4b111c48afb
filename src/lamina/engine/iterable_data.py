"""Batches from a generator, a torch DataLoader or a PyDataset, moved to the device as they arrive.

Example:
    >>> data = IterableData(((np.ones((2, 3)), np.zeros(2)) for _ in range(3)), "cpu", resume=False)
    >>> [x.shape[0] for x, _, _ in data.batches()], [x.shape[0] for x, _, _ in data.batches()]
    ([2, 2, 2], [2, 2])
"""
from __future__ import annotations

import itertools
import warnings
from typing import NoReturn

import numpy as np
import torch
from torch.utils import _pytree as pytree
from torch.utils.data import DataLoader

from lamina import backend
from lamina.engine.data import ArrayData, check_array_like, class_weights_to_samples
from lamina.engine.sources import is_py_dataset, py_dataset_module, source_kind
from lamina.utils.errors import user_stacklevel

__all__ = ["IterableData"]


def _unsupported_with_source(kind: str, argument: str, description: str) -> ValueError:
    return ValueError(f"When providing `x` as a {kind}, `{argument}` should not be passed. Instead, "
                      f"{description} should be included as part of the {kind}.")


class IterableData:
    """Batches from a generator, a torch DataLoader or a PyDataset, moved to the device as they arrive.

    A DataLoader or PyDataset starts a new pass every epoch; a generator is one pass in all,
    after which each epoch gets the two batches Keras peeked at first (Keras chains them back
    in front of the spent generator). With `steps`, an epoch takes that many batches and the
    next one resumes where it stopped, as in Keras.

    Args:
        source: the generator/iterator, DataLoader or PyDataset.
        device: where batches go.
        class_weight: `{class: weight}`, for a PyDataset only (as in Keras).
        resume: whether a new call to `batches` continues the current pass (training) or, for
            a source that can restart, starts a new one (evaluation).

    Example:
        >>> data = IterableData(((np.ones((2, 3)), np.zeros(2)) for _ in range(3)), "cpu",
        ...                     resume=False)
        >>> [x.shape[0] for x, _, _ in data.batches()], data.exhausted
        ([2, 2, 2], False)
    """

    def __init__(self, source, device, class_weight=None, resume: bool = True):
        self.source = source
        self.device = torch.device(device)
        self.kind = source_kind(source)
        self.class_weight = class_weight
        self.resume = resume
        self.one_shot = not (is_py_dataset(source) or isinstance(source, DataLoader))
        self.num_batches = _num_batches(source)
        self._iterator = None
        self._position = 0  # batches taken from the current pass
        self._peeked = []  # taken from the current pass but not yet handed out
        self._first = None
        self._first_raw = None  # a PyDataset's batch 0, read to build: its first pass reuses it
        # Keras peeks at a generator's first two batches (for their specs) and chains them
        # back in front of it each epoch: once it has run dry, an epoch replays those two.
        self._replay = []
        self._exhausted = False
        self._warned = False
        self._warned_shuffle = self._warned_endless = False  # an infinite PyDataset's warnings

    @classmethod
    def from_user(cls, x, y=None, sample_weight=None, *, device, batch_size=None, class_weight=None,
                  resume: bool = True) -> "IterableData":
        """Checks the arguments Keras forbids next to batched data, then wraps `x`."""
        kind = source_kind(x)
        if y is not None:
            raise _unsupported_with_source(kind, "y", "the targets")
        if sample_weight is not None:
            raise _unsupported_with_source(kind, "sample_weight", "the sample weights")
        if class_weight is not None and kind != "PyDataset":
            raise ValueError(f"Argument `class_weight` is not supported for {kind} inputs: return "
                             f"(x, y, sample_weight) batches instead, or use a keras.utils.PyDataset. "
                             f"Received: class_weight={class_weight}")
        if batch_size is not None:
            warnings.warn(f"`batch_size={batch_size}` is ignored: the {kind} yields its own batches.",
                          stacklevel=5)
        return cls(x, device, class_weight=class_weight, resume=resume)

    @classmethod
    def from_dataset(cls, dataset, y=None, sample_weight=None, *, device, batch_size=None,
                     shuffle: bool = False, class_weight=None, resume: bool = True):
        """A map-style torch Dataset, batched by `batch_size` (default 32) through a DataLoader.

        Its samples are `x`, `(x, y)` or `(x, y, sample_weight)`, collated by PyTorch's default.
        """
        for argument, value, description in (("y", y, "the targets"),
                                              ("sample_weight", sample_weight, "the sample weights")):
            if value is not None:
                raise _unsupported_with_source("torch Dataset", argument, description)
        loader = DataLoader(dataset, batch_size=batch_size or 32, shuffle=shuffle)
        data = cls(loader, device, class_weight=class_weight, resume=resume)
        data.kind = "torch Dataset"
        return data

    @property
    def exhausted(self) -> bool:
        """True once a generator has run dry with nothing left to replay."""
        return self._exhausted and not self._peeked and not self._replay

    def steps(self, batch_size=None) -> int | None:
        """Batches per pass (`len()` of a DataLoader or PyDataset), None when unknown."""
        return self.num_batches

    def first_batch(self) -> ArrayData:
        """The first batch, on the device, read once (it builds the model and the engine)."""
        if self._first is None:
            if not self.one_shot and not isinstance(self.source, DataLoader):
                # A PyDataset reads batch 0 directly, so fit's first pass can still be shuffled.
                raw = self.source[0] if self.num_batches != 0 else _END
                self._first_raw = None if raw is _END else raw
            else:
                raw = self._next_raw(shuffle=False)
            if raw is _END:
                raise ValueError(f"The {self.kind} passed to the model yielded no batch. It must yield "
                                 f"at least one batch: x, (x, y) or (x, y, sample_weight).")
            parts = self._split(raw)
            if any(isinstance(part, (str, bytes)) for part in parts):  # one text, not a batch of them
                _refuse_single_samples(parts, self.source, self.kind)
            self._first = self._standardize(raw)
            _require_batches(self._first, self.source, self.kind)
            if self._iterator is not None:  # the pass it came from hands it out first
                self._peeked.append(self._first)
        return ArrayData(*self._first)

    def batches(self, batch_size=None, shuffle: bool = False, steps: int | None = None):
        """Yields one epoch's (x, y, sample_weight) device batches: `steps` of them, or one pass.

        `batch_size` is ignored (the source batches); `shuffle` reorders a PyDataset's batches.
        """
        if not self.resume and not self.one_shot and self._position > len(self._peeked):
            self._iterator, self._position, self._peeked = None, 0, []
        if self._exhausted and not self._peeked:
            self._peeked = list(self._replay)
        if self.num_batches is None and is_py_dataset(self.source):
            self._check_infinite_run(shuffle, steps)
        limit = self.num_batches if steps is None else steps
        _call_hook(self.source, "on_epoch_begin")
        try:
            produced = 0
            while limit is None or produced < limit:
                batch = self._next_batch(shuffle)
                if batch is None:
                    if steps is not None or (self.one_shot and self.resume):
                        self.warn_ran_out(produced, steps, stacklevel=5)  # as Keras warns
                    break
                yield batch
                produced += 1
        finally:
            if self.num_batches is not None and self._position >= self.num_batches:
                self._iterator = None  # that pass is over: the next epoch starts a new one
            _call_hook(self.source, "on_epoch_end")

    def _check_infinite_run(self, shuffle: bool, steps: int | None) -> None:
        """Keras' shuffle warning for an infinite PyDataset; without `steps`, an evaluation
        (which nothing here can stop) raises and training warns that only a callback ends it."""
        if shuffle and not self._warned_shuffle:
            self._warned_shuffle = True
            warnings.warn("`shuffle=True` was passed, but will be ignored since the data `x` was "
                          "provided as an infinite PyDataset. The PyDataset is expected to already "
                          "be shuffled.", stacklevel=user_stacklevel())
        if steps is not None:
            return
        if not self.resume:
            raise ValueError(_INFINITE_NEEDS_STEPS + " Pass how many batches to read: `steps=` to "
                             "evaluate() or predict(), or `validation_steps=` to fit() for "
                             "validation data.")
        if not self._warned_endless:
            self._warned_endless = True
            warnings.warn(_INFINITE_NEEDS_STEPS + " Pass `steps_per_epoch=` to fit(); without it the "
                          "first epoch runs until a callback sets `model.stop_training = True`.",
                          stacklevel=user_stacklevel())

    def warn_ran_out(self, produced: int | None = None, steps: int | None = None,
                     stacklevel: int = 4) -> None:
        """Keras' warning when the data ends before the epochs do (once per source)."""
        if self._warned:
            return
        self._warned = True
        where = "" if steps is None else f" after {produced} of steps_per_epoch={steps} batches"
        fix = ("A Python generator can be iterated only once: loop forever in it (`while True:`) "
               "and pass `steps_per_epoch`, or use a torch DataLoader or keras.utils.PyDataset, "
               "which restart every epoch." if self.one_shot else
               "The next epoch starts a new pass over the data.")
        warnings.warn(f"Your input ran out of data{where}; interrupting training. Make sure that your "
                      f"dataset or generator can generate at least `steps_per_epoch * epochs` "
                      f"batches. {fix}", stacklevel=stacklevel)

    def _next_batch(self, shuffle: bool):
        if self._peeked:
            batch = self._peeked.pop(0)
        else:
            raw = self._next_raw(shuffle)
            batch = None if raw is _END else self._standardize(raw)
        if self.one_shot and batch is not None and not self._exhausted and len(self._replay) < 2:
            self._replay.append(batch)
        return batch

    def _next_raw(self, shuffle: bool):
        if self._iterator is None:
            if self._exhausted:
                return _END
            self._iterator, self._position = self._new_pass(shuffle), 0
        if self.num_batches is not None and self._position >= self.num_batches:
            return _END  # a pass ended inside an epoch (steps_per_epoch runs across passes)
        try:
            raw = next(self._iterator)
        except StopIteration:
            self._iterator = None
            self._exhausted = self.one_shot
            return _END
        self._position += 1
        return raw

    def _new_pass(self, shuffle: bool):
        if self.one_shot:
            return self.source
        if isinstance(self.source, DataLoader):
            return iter(self.source)
        first_raw, self._first_raw = self._first_raw, None
        if self.num_batches is None:  # an infinite PyDataset: read in order, as Keras does
            start = 0 if first_raw is None else 1  # batch 0, read to build the model, comes first
            batches = py_dataset_module().iterate_batches(self.source, itertools.count(start))
            return batches if first_raw is None else itertools.chain([first_raw], batches)
        order = torch.randperm(self.num_batches).tolist() if shuffle else range(self.num_batches)
        if first_raw is not None and len(order) and order[0] == 0:
            # Batch 0 was read to build the model: Keras reads each batch once in the first pass.
            return itertools.chain([first_raw],
                                   py_dataset_module().iterate_batches(self.source, order[1:]))
        return py_dataset_module().iterate_batches(self.source, order)

    def _split(self, raw) -> tuple:
        """One raw batch -> its (x, y, sample_weight) parts, as the user gave them."""
        if isinstance(raw, list):
            raw = tuple(raw)
        if isinstance(raw, tuple):
            if not 1 <= len(raw) <= 3:
                raise ValueError(f"Each batch of the {self.kind} must be x, (x,), (x, y) or "
                                 f"(x, y, sample_weight); received a tuple of length {len(raw)}.")
            return raw + (None,) * (3 - len(raw))
        return raw, None, None

    def _standardize(self, raw) -> tuple:
        """One raw batch -> (x, y, sample_weight) on the device, with class weights applied."""
        x, y, sample_weight = (None if part is None else _batch_to_device(part, self.device, name, self.kind)
                               for part, name in zip(self._split(raw), ("x", "y", "sample_weight")))
        if sample_weight is not None and isinstance(sample_weight, torch.Tensor):
            sample_weight = sample_weight.float()
        if self.class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot specify `class_weight` and `sample_weight` at the same "
                                 "time: drop one, or fold the class weights into the sample weights.")
            sample_weight = class_weights_to_samples(self.class_weight, y, None)
        return x, y, sample_weight


_END = object()
_INFINITE_NEEDS_STEPS = ("The PyDataset passed to the model is infinite (its `num_batches` is None), "
                         "so a pass over it never ends.")


def _num_batches(source) -> int | None:
    if is_py_dataset(source):
        return source.num_batches if hasattr(source, "num_batches") else len(source)
    if isinstance(source, DataLoader) and hasattr(source.dataset, "__len__"):
        return len(source)
    return None


def _require_batches(batch: tuple, source, kind: str) -> None:
    """Raises when `batch` is one sample: a part without a batch axis (a scalar label), or a
    lamina Dataset made without `batch_size` whose parts differ in their first dimension.

    Example:
        >>> _require_batches((torch.zeros(4, 3), torch.zeros(4), None), None, "generator")
    """
    parts = {name: part for name, part in zip(("x", "y", "sample_weight"), batch) if part is not None}
    leaves = [leaf for part in parts.values() for leaf in pytree.tree_leaves(part)
              if hasattr(leaf, "shape")]
    if not leaves:
        return
    scalar = any(len(leaf.shape) == 0 for leaf in leaves)
    unbatched_dataset = _is_lamina_dataset(source) and source._batch_size is None
    if not scalar and not (unbatched_dataset and len({leaf.shape[0] for leaf in leaves}) > 1):
        return
    _refuse_single_samples(batch, source, kind)


def _refuse_single_samples(batch: tuple, source, kind: str) -> NoReturn:
    """Raises the error for a source of single samples, showing the first one's shapes."""
    parts = {name: part for name, part in zip(("x", "y", "sample_weight"), batch) if part is not None}
    shapes = ", ".join(f"{name} {pytree.tree_map(_shape, part)}" for name, part in parts.items())
    what = "dataset" if _is_lamina_dataset(source) else kind
    raise ValueError(f"The {what} passed to the model yields single samples, not batches: its first "
                     f"element has the shapes {shapes}, but fit(), evaluate() and predict() take "
                     f"batches, whose parts all have the batch size as their first dimension. "
                     f"{_batching_fix(source, kind)}")


def _shape(leaf) -> tuple:
    return tuple(getattr(leaf, "shape", ()))


def _batching_fix(source, kind: str) -> str:
    if _is_lamina_dataset(source):
        return ("Batch it: `dataset = dataset.batch(32)`, or pass `batch_size=32` to the function "
                "that made it (timeseries_dataset_from_array, text_dataset_from_directory, "
                "image_dataset_from_directory: `batch_size=None` yields single samples).")
    if kind == "PyDataset":
        return ("Make `__getitem__(index)` return a whole batch, e.g. "
                "`x[index * 32:(index + 1) * 32], y[index * 32:(index + 1) * 32]`.")
    if isinstance(source, DataLoader):
        return ("Give the DataLoader a batch size: `DataLoader(dataset, batch_size=32)` "
                "(`batch_size=None` yields single samples).")
    return "Yield batches, e.g. `x[i:i + 32], y[i:i + 32]`, or stack 32 samples with np.stack."


def _is_lamina_dataset(source) -> bool:
    from lamina.utils.dataset import Dataset  # late: lamina.utils imports the engine

    return isinstance(source, Dataset)


def _call_hook(source, name: str) -> None:
    if is_py_dataset(source):
        getattr(source, name, lambda: None)()


def _batch_to_device(value, device: torch.device, argument: str, kind: str):
    """A batch part (tensor, array, or a list/tuple/dict of them) -> tensors on `device`."""
    if isinstance(value, torch.Tensor):
        if type(value) is not torch.Tensor:  # a dataset's DataTensor: the steps take plain ones
            value = value.as_subclass(torch.Tensor)
        target = torch.float32 if value.dtype in (torch.float64, torch.bool) else value.dtype
        # A pinned host tensor (DataLoader(pin_memory=True)) copies without blocking the host.
        pinned = device.type == "cuda" and value.device.type == "cpu" and value.is_pinned()
        return value.to(device=device, dtype=target, non_blocking=pinned)
    if isinstance(value, dict):
        return {key: _batch_to_device(item, device, f"{argument}['{key}']", kind) for key, item in value.items()}
    if isinstance(value, (list, tuple)) and value and not _is_number_list(value):
        return [_batch_to_device(item, device, f"{argument}[{i}]", kind) for i, item in enumerate(value)]
    if isinstance(value, (np.ndarray, list, tuple)) and backend.is_string_data(value):
        return np.asarray(value)  # text stays on the host for the model's string layers
    if isinstance(value, np.ndarray) and not value.flags.writeable:
        value = value.copy()  # a memmap slice, say: torch shares only writable memory; one batch
    try:
        check_array_like(value, argument)
        tensor = backend.to_tensor(value, device=device)
    except (TypeError, ValueError) as error:
        raise TypeError(f"A batch from the {kind} has `{argument}` that is not array data: {error}") from None
    return tensor.float() if tensor.dtype == torch.bool else tensor


def _is_number_list(value) -> bool:
    first = value[0]
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    return isinstance(first, (int, float, np.generic))
