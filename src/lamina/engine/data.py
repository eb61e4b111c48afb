"""Data for the engine: arrays become device tensors once; batches are gathered on the device.

Data that arrives in batches (a generator, a torch DataLoader, a `keras.utils.PyDataset`) has
its own path, `IterableData`: each batch is moved to the device as it arrives.

Example:
    >>> data = ArrayData.from_user(np.zeros((100, 4)), np.zeros(100), device="cpu")
    >>> [x.shape[0] for x, _, _ in data.batches(batch_size=32, shuffle=True)]
    [32, 32, 32, 4]
"""
from __future__ import annotations

import itertools
import math
import types
import warnings

import numpy as np
import torch
from torch.utils import _pytree as pytree
from torch.utils.data import DataLoader, Dataset

from lamina import backend

__all__ = ["ArrayData", "IterableData", "check_validation_split", "class_weights_to_samples",
           "is_batch_source", "pack_x_y_sample_weight", "split_validation", "to_device_structure",
           "unpack_x_y_sample_weight"]

_ACCEPTED = ("a NumPy array, a torch tensor, a (nested) list of numbers, a list or dict of those, "
             "a Python generator yielding batches, a torch.utils.data.DataLoader, or a "
             "keras.utils.PyDataset")


class ArrayData:
    """Inputs, targets and sample weights as device tensors (each a tensor or a list/dict of them)."""

    exhausted = False  # arrays can always start another epoch

    def __init__(self, x, y=None, sample_weight=None):
        self.x = x
        self.y = y
        self.sample_weight = sample_weight
        self.size = _cardinality(x, y, sample_weight)

    @classmethod
    def from_user(cls, x, y=None, sample_weight=None, device=None) -> "ArrayData":
        """Converts user data (NumPy, lists, tensors; nested in lists/dicts) to device tensors."""
        if x is None:
            raise ValueError("Argument `x` is required: pass the input data (a NumPy array or tensor).")
        if is_batch_source(x):
            raise TypeError(f"Argument `x` must be the arrays of one batch here; received a "
                            f"{_source_kind(x)}. fit(), evaluate() and predict() accept "
                            f"generators, DataLoaders and PyDatasets; train_on_batch(), "
                            f"test_on_batch() and predict_on_batch() take arrays.")
        x = to_device_structure(x, device, "x")
        y = None if y is None else to_device_structure(y, device, "y")
        if sample_weight is not None:
            sample_weight = to_device_structure(sample_weight, device, "sample_weight").float()
        data = cls(x, y, sample_weight)
        _check_no_nan(x, "x")
        if y is not None:
            _check_no_nan(y, "y")
        return data

    def take(self, indices) -> "ArrayData":
        return ArrayData(_take(self.x, indices), _take(self.y, indices), _take(self.sample_weight, indices))

    def slice(self, start: int, stop: int) -> "ArrayData":
        return ArrayData(_slice(self.x, start, stop), _slice(self.y, start, stop),
                         _slice(self.sample_weight, start, stop))

    def steps(self, batch_size: int) -> int:
        return math.ceil(self.size / batch_size)

    def batches(self, batch_size: int, shuffle: bool = False, steps: int | None = None):
        """Yields (x, y, sample_weight) batches; a shuffle is one on-device permutation per pass."""
        steps = self.steps(batch_size) if steps is None else steps
        produced = 0
        while produced < steps:
            if shuffle:
                order = torch.randperm(self.size, device=_device_of(self.x))
                for start in range(0, self.size, batch_size):
                    if produced == steps:
                        return
                    indices = order[start:start + batch_size]
                    yield _take(self.x, indices), _take(self.y, indices), _take(self.sample_weight, indices)
                    produced += 1
            else:
                for start in range(0, self.size, batch_size):
                    if produced == steps:
                        return
                    stop = start + batch_size
                    # Slices are views: no copy for in-order batches (evaluate, predict).
                    yield (_slice(self.x, start, stop), _slice(self.y, start, stop),
                           _slice(self.sample_weight, start, stop))
                    produced += 1


def to_device_structure(data, device, argument: str):
    """NumPy arrays / lists / tensors (possibly in a list or dict) -> tensors on `device`."""
    if isinstance(data, dict):
        return {k: _to_tensor(v, device, f"{argument}['{k}']") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(_is_array_like(v) for v in data):
        return [_to_tensor(v, device, f"{argument}[{i}]") for i, v in enumerate(data)]
    return _to_tensor(data, device, argument)


def _to_tensor(value, device, argument: str) -> torch.Tensor:
    if isinstance(value, (np.ndarray, list, tuple)) and backend.is_string_data(value):
        return np.asarray(value)  # text stays on the host for the model's string layers
    _check_array_like(value, argument)
    try:
        tensor = backend.to_tensor(value, device=device)
    except (TypeError, ValueError) as error:
        raise TypeError(f"Argument `{argument}` could not be converted to a tensor: {error}") from None
    if tensor.dtype == torch.bool:
        tensor = tensor.float()
    if tensor.ndim == 0:
        raise ValueError(f"Argument `{argument}` must have a batch axis, but received a scalar "
                         f"{value!r}.")
    return tensor


def _is_array_like(value) -> bool:
    return isinstance(value, (np.ndarray, torch.Tensor)) or (
        isinstance(value, (list, tuple)) and len(value) > 0 and isinstance(value[0], (list, tuple, np.ndarray)))


def _check_array_like(value, argument: str) -> None:
    """Raises TypeError for anything NumPy would not read as numbers (never calls np.asarray:
    on an object with `__len__`/`__getitem__` that can loop forever)."""
    if isinstance(value, (np.ndarray, torch.Tensor, np.generic, int, float, complex)) \
            or hasattr(value, "__array__") or hasattr(value, "__array_interface__"):
        return
    if isinstance(value, (list, tuple)):
        if value:
            _check_array_like(value[0], f"{argument}[0]")
        return
    if isinstance(value, Dataset):
        raise TypeError(f"Argument `{argument}` is a torch {type(value).__name__}, which yields single "
                        f"samples, but Keras trains on batches. Wrap it in a DataLoader and pass "
                        f"that: torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=True).")
    if isinstance(value, (str, bytes)):
        received = f"the string {value[:40]!r}"
    elif is_batch_source(value):
        received = (f"a {_source_kind(value)}, which can only be passed as `x` (with the targets "
                    f"inside its batches) or as `validation_data`")
    elif hasattr(value, "__getitem__") and hasattr(value, "__len__"):
        received = (f"an object of type {type(value).__name__} with __len__/__getitem__ (a dataset of "
                    f"samples?). Subclass keras.utils.PyDataset, whose __getitem__(index) returns a "
                    f"whole batch, or wrap it in torch.utils.data.DataLoader(dataset, batch_size=32)")
    else:
        received = f"an object of type {type(value).__name__}"
    raise TypeError(f"Argument `{argument}` must be {_ACCEPTED}; received {received}. A table-like "
                    f"object (e.g. a DataFrame) converts with np.asarray(obj) or obj.to_numpy().")


def _leaves(structure) -> list[torch.Tensor]:
    if structure is None:
        return []
    if isinstance(structure, torch.Tensor):
        return [structure]
    return pytree.tree_leaves(structure)


def _cardinality(x, y, sample_weight) -> int:
    sizes = {name: [int(t.shape[0]) for t in _leaves(value)]
             for name, value in (("x", x), ("y", y), ("sample_weight", sample_weight)) if value is not None}
    distinct = {s for group in sizes.values() for s in group}
    if len(distinct) > 1:
        detail = "\n".join(f"'{name}' sizes: {', '.join(map(str, group))}" for name, group in sizes.items())
        raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the same number "
                         f"of samples.\n{detail}")
    return distinct.pop() if distinct else 0


def _check_no_nan(structure, argument: str) -> None:
    # One host read per fit/evaluate call, never per step.
    for tensor in _leaves(structure):
        if isinstance(tensor, torch.Tensor) and tensor.is_floating_point():
            bad = ~torch.isfinite(tensor)
            if bool(bad.any()):
                flat = bad.reshape(bad.shape[0], -1).any(dim=1)
                first = int(flat.nonzero()[0, 0])
                kind = "NaN" if bool(torch.isnan(tensor).any()) else "infinite"
                raise ValueError(f"Argument `{argument}` contains {kind} values (first in sample {first}, "
                                 f"{int(flat.sum())} samples in all). Training on them makes the loss NaN: "
                                 f"remove or impute them first (e.g. np.nan_to_num or dropping those rows).")


def _device_of(structure) -> torch.device:
    tensors = [leaf for leaf in _leaves(structure) if isinstance(leaf, torch.Tensor)]
    return tensors[0].device if tensors else torch.device("cpu")


def _take(structure, indices):
    if structure is None:
        return None
    if isinstance(structure, torch.Tensor):
        return structure.index_select(0, indices)
    return pytree.tree_map(lambda t: t.index_select(0, indices) if isinstance(t, torch.Tensor)
                           else t[indices.cpu().numpy()], structure)


def _slice(structure, start: int, stop: int):
    if structure is None:
        return None
    if isinstance(structure, torch.Tensor):
        return structure[start:stop]
    return pytree.tree_map(lambda t: t[start:stop], structure)


def check_validation_split(validation_split) -> None:
    """Raises unless `validation_split` is a number in [0, 1)."""
    if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
            or not 0 <= validation_split < 1:
        raise ValueError(f"Argument `validation_split` must be a float in [0, 1), e.g. 0.2 to hold out "
                         f"the last 20% of the data. Received: validation_split={validation_split!r}")


def split_validation(data: ArrayData, validation_split: float) -> tuple[ArrayData, ArrayData]:
    """Keras' split: the *last* `validation_split` fraction, taken before any shuffling."""
    check_validation_split(validation_split)
    if not isinstance(data, ArrayData):
        raise ValueError(f"Argument `validation_split` is only supported for tensors or NumPy arrays; "
                         f"`x` is a {data.kind}. Pass `validation_data` (arrays, a generator, a "
                         f"DataLoader or a PyDataset) instead.")
    split_at = int(math.floor(data.size * (1.0 - validation_split)))
    if split_at == 0 or split_at == data.size:
        raise ValueError(f"validation_split={validation_split} leaves no samples for "
                         f"{'training' if split_at == 0 else 'validation'} out of {data.size}.")
    return data.slice(0, split_at), data.slice(split_at, data.size)


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Keras' `data` for a custom `train_step`: x, (x, y) or (x, y, sample_weight).

    Example:
        >>> pack_x_y_sample_weight("x", "y")
        ('x', 'y')
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """The inverse of `pack_x_y_sample_weight`: always `(x, y, sample_weight)`.

    Example:
        >>> unpack_x_y_sample_weight(("x", "y"))
        ('x', 'y', None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be (x,), (x, y) or (x, y, sample_weight); received a "
                     f"tuple of length {len(data)}.")


def class_weights_to_samples(class_weight: dict, y, sample_weight):
    """Per-sample weights from `{class: weight}` (labels as integers or one-hot), times `sample_weight`.

    Example:
        >>> class_weights_to_samples({0: 1.0, 1: 3.0}, torch.tensor([0, 1, 1]), None).tolist()
        [1.0, 3.0, 3.0]
    """
    if not isinstance(y, torch.Tensor):
        raise ValueError("`class_weight` is supported for models with a single output only; use "
                         "`sample_weight` for several outputs.")
    labels = y.argmax(dim=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(-1).round().long()
    table = torch.ones(int(max(class_weight)) + 1, device=y.device)
    for label, weight in class_weight.items():
        table[int(label)] = float(weight)
    weights = table[labels.clamp(0, table.numel() - 1)]
    return weights if sample_weight is None else weights * sample_weight


# ---------------------------------------------------------------------- batched sources
def is_batch_source(value) -> bool:
    """True for data that arrives batched: a generator/iterator, a DataLoader or a PyDataset.

    Example:
        >>> is_batch_source(iter([])), is_batch_source(np.zeros(3))
        (True, False)
    """
    return (_is_py_dataset(value) or isinstance(value, DataLoader)
            or (hasattr(value, "__next__") and hasattr(value, "__iter__")))


def _py_dataset_module():
    from lamina.utils import py_dataset  # imported late: lamina.utils itself imports this module

    return py_dataset


def _is_py_dataset(value) -> bool:
    # Keras' own PyDataset/Sequence subclasses follow the same protocol.
    return isinstance(value, _py_dataset_module().PyDataset) or any(
        cls.__name__ in ("PyDataset", "Sequence") and cls.__module__.startswith(("keras", "tensorflow"))
        for cls in type(value).__mro__)


def _source_kind(value) -> str:
    if _is_py_dataset(value):
        return "PyDataset"
    if isinstance(value, DataLoader):
        return "torch DataLoader"
    return "generator" if isinstance(value, types.GeneratorType) else f"iterator ({type(value).__name__})"


def _unsupported_with_source(kind: str, argument: str, description: str) -> ValueError:
    return ValueError(f"When providing `x` as a {kind}, `{argument}` should not be passed. Instead, "
                      f"{description} should be included as part of the {kind}.")


class IterableData:
    """Batches from a generator, a torch DataLoader or a PyDataset, moved to the device as they arrive.

    A DataLoader or PyDataset starts a new pass every epoch; a generator is one pass in all
    (once it runs dry, `exhausted` is True and no epoch can follow). With `steps`, an epoch
    takes that many batches and the next one resumes where it stopped, as in Keras.

    Args:
        source: the generator/iterator, DataLoader or PyDataset.
        device: where batches go.
        class_weight: `{class: weight}`, for a PyDataset only (as in Keras).
        resume: whether a new call to `batches` continues the current pass (training) or, for
            a source that can restart, starts a new one (evaluation).

    Example:
        >>> data = IterableData(((np.ones((2, 3)), np.zeros(2)) for _ in range(3)), "cpu")
        >>> [x.shape[0] for x, _, _ in data.batches()], data.exhausted
        ([2, 2, 2], True)
    """

    def __init__(self, source, device, class_weight=None, resume: bool = True):
        self.source = source
        self.device = torch.device(device)
        self.kind = _source_kind(source)
        self.class_weight = class_weight
        self.resume = resume
        self.one_shot = not (_is_py_dataset(source) or isinstance(source, DataLoader))
        self.num_batches = _num_batches(source)
        self._iterator = None
        self._position = 0  # batches taken from the current pass
        self._peeked = []  # taken from the current pass but not yet handed out
        self._first = None
        self._exhausted = False
        self._warned = False

    @classmethod
    def from_user(cls, x, y=None, sample_weight=None, *, device, batch_size=None, class_weight=None,
                  resume: bool = True) -> "IterableData":
        """Checks the arguments Keras forbids next to batched data, then wraps `x`."""
        kind = _source_kind(x)
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

    @property
    def exhausted(self) -> bool:
        """True once a generator has run dry: it cannot be iterated again."""
        return self._exhausted and not self._peeked

    def steps(self, batch_size=None) -> int | None:
        """Batches per pass (`len()` of a DataLoader or PyDataset), None when unknown."""
        return self.num_batches

    def first_batch(self) -> ArrayData:
        """The first batch, on the device, read once (it builds the model and the engine)."""
        if self._first is None:
            if not self.one_shot and not isinstance(self.source, DataLoader):
                # A PyDataset reads batch 0 directly, so fit's first pass can still be shuffled.
                raw = self.source[0] if self.num_batches != 0 else _END
            else:
                raw = self._next_raw(shuffle=False)
            if raw is _END:
                raise ValueError(f"The {self.kind} passed to the model yielded no batch. It must yield "
                                 f"at least one batch: x, (x, y) or (x, y, sample_weight).")
            self._first = self._standardize(raw)
            if self._iterator is not None:  # the pass it came from hands it out first
                self._peeked.append(self._first)
        return ArrayData(*self._first)

    def batches(self, batch_size=None, shuffle: bool = False, steps: int | None = None):
        """Yields one epoch's (x, y, sample_weight) device batches: `steps` of them, or one pass.

        `batch_size` is ignored (the source batches); `shuffle` reorders a PyDataset's batches.
        """
        if not self.resume and not self.one_shot and self._position > len(self._peeked):
            self._iterator, self._position, self._peeked = None, 0, []
        limit = self.num_batches if steps is None else steps
        _call_hook(self.source, "on_epoch_begin")
        try:
            produced = 0
            while limit is None or produced < limit:
                batch = self._next_batch(shuffle)
                if batch is None:
                    if steps is not None:
                        self.warn_ran_out(produced, steps, stacklevel=5)
                    break
                yield batch
                produced += 1
        finally:
            if self.num_batches is not None and self._position >= self.num_batches:
                self._iterator = None  # that pass is over: the next epoch starts a new one
            _call_hook(self.source, "on_epoch_end")

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
            return self._peeked.pop(0)
        raw = self._next_raw(shuffle)
        return None if raw is _END else self._standardize(raw)

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
        if self.num_batches is None:
            order = itertools.count()
        else:
            order = torch.randperm(self.num_batches).tolist() if shuffle else range(self.num_batches)
        return _py_dataset_module().iterate_batches(self.source, order)

    def _standardize(self, raw) -> tuple:
        """One raw batch -> (x, y, sample_weight) on the device, with class weights applied."""
        if isinstance(raw, list):
            raw = tuple(raw)
        if isinstance(raw, tuple):
            if not 1 <= len(raw) <= 3:
                raise ValueError(f"Each batch of the {self.kind} must be x, (x,), (x, y) or "
                                 f"(x, y, sample_weight); received a tuple of length {len(raw)}.")
            raw = raw + (None,) * (3 - len(raw))
        else:
            raw = (raw, None, None)
        x, y, sample_weight = (None if part is None else _batch_to_device(part, self.device, name, self.kind)
                               for part, name in zip(raw, ("x", "y", "sample_weight")))
        if sample_weight is not None and isinstance(sample_weight, torch.Tensor):
            sample_weight = sample_weight.float()
        if self.class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot specify `class_weight` and `sample_weight` at the same "
                                 "time: drop one, or fold the class weights into the sample weights.")
            sample_weight = class_weights_to_samples(self.class_weight, y, None)
        return x, y, sample_weight


_END = object()


def _num_batches(source) -> int | None:
    if _is_py_dataset(source):
        return source.num_batches if hasattr(source, "num_batches") else len(source)
    if isinstance(source, DataLoader) and hasattr(source.dataset, "__len__"):
        return len(source)
    return None


def _call_hook(source, name: str) -> None:
    if _is_py_dataset(source):
        getattr(source, name, lambda: None)()


def _batch_to_device(value, device: torch.device, argument: str, kind: str):
    """A batch part (tensor, array, or a list/tuple/dict of them) -> tensors on `device`."""
    if isinstance(value, torch.Tensor):
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
    try:
        _check_array_like(value, argument)
        tensor = backend.to_tensor(value, device=device)
    except (TypeError, ValueError) as error:
        raise TypeError(f"A batch from the {kind} has `{argument}` that is not array data: {error}") from None
    return tensor.float() if tensor.dtype == torch.bool else tensor


def _is_number_list(value) -> bool:
    first = value[0]
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    return isinstance(first, (int, float, np.generic))
