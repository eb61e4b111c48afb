"""Data for the engine: arrays become device tensors once; batches are gathered on the device.

Data that arrives in batches (a generator, a torch DataLoader, a `keras.utils.PyDataset`) has
its own path, `lamina.engine.iterable_data.IterableData`.

Example:
    >>> data = ArrayData.from_user(np.zeros((100, 4)), np.zeros(100), device="cpu")
    >>> [x.shape[0] for x, _, _ in data.batches(batch_size=32, shuffle=True)]
    [32, 32, 32, 4]
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import torch
from torch.utils import _pytree as pytree
from torch.utils.data import Dataset

from lamina import backend
from lamina.engine.sources import is_batch_source, source_kind
from lamina.utils.errors import user_stacklevel

__all__ = ["ArrayData", "RAN_OUT_OF_DATA", "check_array_like", "check_validation_split",
           "class_weights_to_samples", "pack_x_y_sample_weight", "split_validation",
           "to_device_structure", "unpack_x_y_sample_weight"]

_ACCEPTED = ("a NumPy array, a torch tensor, a (nested) list of numbers, a list or dict of those, "
             "a Python generator yielding batches, a torch.utils.data.DataLoader, or a "
             "keras.utils.PyDataset")

# Keras' own words (keras/src/trainers/epoch_iterator.py), so a search for them finds the cause.
RAN_OUT_OF_DATA = ("Your input ran out of data; interrupting training. Make sure that your dataset "
                   "or generator can generate at least `steps_per_epoch * epochs` batches. You may "
                   "need to use the `.repeat()` function when building your dataset.")

# The NaN/Inf check reads this many elements at a time, so however large the input (a memmap
# included) it never holds more than one chunk of it in memory at once.
NAN_CHECK_CHUNK_ELEMENTS = 1 << 24


class ArrayData:
    """Inputs, targets and sample weights as device tensors (each a tensor or a list/dict of them).

    Args:
        x, y, sample_weight: tensors (or lists/dicts of tensors) with the same number of rows.
        read_only: whether some of them may view memory that NumPy marks read-only (a memmap,
            `np.frombuffer`); the model is then handed copies of each batch, never that memory.
        resume: whether an epoch of `steps` batches continues the pass the previous epoch left
            unfinished (fit's training data) or starts a new one (evaluation), as in Keras.
    """

    exhausted = False  # arrays can always start another epoch

    def __init__(self, x, y=None, sample_weight=None, read_only: bool = False, resume: bool = False):
        self.x = x
        self.y = y
        self.sample_weight = sample_weight
        self.size = _cardinality(x, y, sample_weight)
        self.read_only = read_only
        self.resume = resume
        self._open_pass = None  # with steps per epoch: the pass the next epoch continues
        self._batches_left = 0

    @classmethod
    def from_user(cls, x, y=None, sample_weight=None, device=None, resume: bool = False) -> "ArrayData":
        """Converts user data (NumPy, lists, tensors; nested in lists/dicts) to device tensors."""
        if x is None:
            raise ValueError("Argument `x` is required: pass the input data (a NumPy array or tensor).")
        if is_batch_source(x):
            raise TypeError(f"Argument `x` must be the arrays of one batch here; received a "
                            f"{source_kind(x)}. fit(), evaluate() and predict() accept "
                            f"generators, DataLoaders and PyDatasets; train_on_batch(), "
                            f"test_on_batch() and predict_on_batch() take arrays.")
        device = backend.get_device() if device is None else torch.device(device)
        # On the CPU a read-only array stays where it is (a view, no copy); on an accelerator
        # it is copied there once, like any array, and that copy is the engine's own.
        read_only = device.type == "cpu" and any(
            _has_read_only_array(part) for part in (x, y, sample_weight))
        x = to_device_structure(x, device, "x")
        y = None if y is None else to_device_structure(_without_none_targets(y), device, "y")
        if sample_weight is not None:
            # One array, or one per output (a list or a dict keyed by output name).
            sample_weight = pytree.tree_map(lambda weight: weight.float(), to_device_structure(
                sample_weight, device, "sample_weight"))
        data = cls(x, y, sample_weight, read_only=read_only, resume=resume)
        if y is not None:  # a loss will see them; predict passes NaN on, as Keras does
            _warn_if_not_finite(x, "x")
            _warn_if_not_finite(y, "y")
        return data

    def require_samples(self, argument: str, method: str) -> None:
        """Raises when there is no sample: a step on an empty batch has nothing to compute."""
        if self.size == 0:
            shapes = ", ".join(str(tuple(leaf.shape)) for leaf in _leaves(self.x))
            raise ValueError(f"Argument `{argument}` has 0 samples (shape {shapes}): {method}() needs "
                             f"at least one. Check how the data was loaded, filtered or sliced.")

    def take(self, indices) -> "ArrayData":
        """The rows at `indices` (a gather: always new memory)."""
        return ArrayData(_take(self.x, indices), _take(self.y, indices), _take(self.sample_weight, indices))

    def slice(self, start: int, stop: int) -> "ArrayData":
        """Rows `start:stop` as views (no copy)."""
        return ArrayData(_slice(self.x, start, stop), _slice(self.y, start, stop),
                         _slice(self.sample_weight, start, stop), read_only=self.read_only,
                         resume=self.resume)

    def with_sample_weight(self, sample_weight) -> "ArrayData":
        return ArrayData(self.x, self.y, sample_weight, read_only=self.read_only, resume=self.resume)

    def batch(self, start: int, stop: int) -> tuple:
        """Rows `start:stop` as the model may receive them: views, or copies of read-only memory."""
        parts = (_slice(self.x, start, stop), _slice(self.y, start, stop),
                 _slice(self.sample_weight, start, stop))
        if not self.read_only:
            return parts  # views: in-order batches (evaluate, predict) cost no copy
        return tuple(None if part is None else pytree.tree_map(_copy_tensor, part) for part in parts)

    def steps(self, batch_size: int) -> int:
        return math.ceil(self.size / batch_size)

    def batches(self, batch_size: int, shuffle: bool = False, steps: int | None = None):
        """Yields one epoch's (x, y, sample_weight) batches: one pass, or `steps` of them.

        As in Keras, `steps` never wraps around the data: when a pass ends first, the epoch
        ends with Keras' "ran out of data" warning. With `resume` an epoch continues the pass
        the previous one left unfinished.
        """
        if steps is None:
            yield from self._one_pass(batch_size, shuffle)
            return
        if not self.resume or self._open_pass is None:
            self._open_pass, self._batches_left = self._one_pass(batch_size, shuffle), self.steps(batch_size)
        for produced in range(steps):
            if self._batches_left == 0:
                self._warn_ran_out(batch_size, produced, steps)
                break
            self._batches_left -= 1
            yield next(self._open_pass)
        if self._batches_left == 0:
            self._open_pass = None  # that pass is over: the next epoch starts a new one

    def _one_pass(self, batch_size: int, shuffle: bool):
        if shuffle:  # one on-device permutation per pass; a gather copies, so no read-only view escapes
            order = torch.randperm(self.size, device=_device_of(self.x))
            for start in range(0, self.size, batch_size):
                indices = order[start:start + batch_size]
                yield _take(self.x, indices), _take(self.y, indices), _take(self.sample_weight, indices)
        else:
            for start in range(0, self.size, batch_size):
                yield self.batch(start, start + batch_size)

    def _warn_ran_out(self, batch_size: int, produced: int, steps: int) -> None:
        warnings.warn(f"{RAN_OUT_OF_DATA} The pass over the arrays ({self.size} samples: "
                      f"{self.steps(batch_size)} batches of batch_size={batch_size}) ended after "
                      f"{produced} of this epoch's {steps} steps; the next epoch starts a new pass. "
                      f"Leave `steps_per_epoch` unset to train on one whole pass per epoch.",
                      stacklevel=4)


def _without_none_targets(y):
    """`[y, None]` or `{"a": y, "b": None}` without the None entries: the outputs without a
    loss need none, and the engine gives the rest to the outputs with one, as Keras does."""
    if isinstance(y, dict) and any(v is None for v in y.values()):
        return {k: v for k, v in y.items() if v is not None}
    if isinstance(y, (list, tuple)) and any(v is None for v in y) and any(
            v is not None for v in y):
        kept = [v for v in y if v is not None]
        return kept[0] if len(kept) == 1 else kept
    return y


def to_device_structure(data, device, argument: str):
    """NumPy arrays / lists / tensors (possibly in a list or dict) -> tensors on `device`."""
    if isinstance(data, dict):
        return {k: _to_tensor(v, device, f"{argument}['{k}']") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(_is_array_like(v) for v in data):
        return [_to_tensor(v, device, f"{argument}[{i}]") for i, v in enumerate(data)]
    return _to_tensor(data, device, argument)


def _to_tensor(value, device, argument: str) -> torch.Tensor:
    if isinstance(value, (np.ndarray, list, tuple)) and backend.is_string_data(value):
        if not argument.startswith("x"):
            raise ValueError(
                f"Argument `{argument}` holds strings (e.g. {np.asarray(value).flat[0]!r}), but "
                f"targets must be numbers (invalid dtype {np.asarray(value).dtype}). Turn class names "
                f"into integer ids first, e.g. `class_names, {argument} = np.unique({argument}, "
                f"return_inverse=True)`, and train with loss='sparse_categorical_crossentropy'.")
        return np.asarray(value)  # text stays on the host for the model's string layers
    check_array_like(value, argument)
    try:
        if _is_read_only_numeric(value):
            value = _read_only_view(value)
        tensor = backend.to_tensor(value, device=device)
    except (TypeError, ValueError) as error:
        hint = (" The samples have different lengths: pad them to one length first, e.g. "
                "`keras.utils.pad_sequences(sequences, padding='post')`."
                if "inhomogeneous" in str(error) else "")
        # NumPy's ValueError (ragged lists) stays a ValueError, as in Keras.
        error_type = ValueError if isinstance(error, ValueError) else TypeError
        raise error_type(f"Argument `{argument}` could not be converted to a tensor: {error}"
                         f"{hint}") from None
    if tensor.dtype == torch.bool:
        tensor = tensor.float()
    if tensor.ndim == 0:
        raise ValueError(f"Argument `{argument}` must have a batch axis, but received a scalar "
                         f"{value!r}.")
    return tensor


def _copy_tensor(leaf):
    return leaf.clone() if isinstance(leaf, torch.Tensor) else leaf  # text leaves are NumPy already


def _is_read_only_numeric(value) -> bool:
    return isinstance(value, np.ndarray) and not value.flags.writeable and value.dtype.kind in "biuf"


def _read_only_view(array: np.ndarray) -> torch.Tensor:
    """A tensor over a read-only array's memory, without a copy where torch can read it.

    torch shares only writable memory without complaint; copying a memmap whole could need
    more memory than the machine has, so the engine keeps the view and copies per batch
    (`ArrayData.batch`, gathers) instead. Byte orders and negative strides that torch cannot
    read are copied, as they must be.
    """
    if array.dtype.byteorder not in ("=", "|") or any(stride < 0 for stride in array.strides):
        return torch.from_numpy(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("=")))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.from_numpy(array)


def _has_read_only_array(value) -> bool:
    """Whether `value` (an array, or a list/dict of arrays) holds a read-only NumPy array."""
    if isinstance(value, np.ndarray):
        return not value.flags.writeable
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    return any(isinstance(item, (np.ndarray, dict)) and _has_read_only_array(item) for item in items)


def _is_array_like(value) -> bool:
    return isinstance(value, (np.ndarray, torch.Tensor)) or (
        isinstance(value, (list, tuple)) and len(value) > 0 and isinstance(value[0], (list, tuple, np.ndarray)))


def check_array_like(value, argument: str) -> None:
    """Raises ValueError (Keras: "Unrecognized data type") for anything NumPy would not read as
    numbers (never calls np.asarray: on an object with `__len__`/`__getitem__` that can loop
    forever)."""
    if isinstance(value, (np.ndarray, torch.Tensor, np.generic, int, float, complex)) \
            or hasattr(value, "__array__") or hasattr(value, "__array_interface__"):
        return
    if isinstance(value, (list, tuple)):
        if value:
            check_array_like(value[0], f"{argument}[0]")
        return
    if isinstance(value, Dataset):
        raise ValueError(f"Argument `{argument}` is a torch {type(value).__name__}, which yields single "
                        f"samples, but Keras trains on batches. Wrap it in a DataLoader and pass "
                        f"that: torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=True).")
    if isinstance(value, (str, bytes)):
        received = f"the string {value[:40]!r}"
    elif is_batch_source(value):
        received = (f"a {source_kind(value)}, which can only be passed as `x` (with the targets "
                    f"inside its batches) or as `validation_data`")
    elif hasattr(value, "__getitem__") and hasattr(value, "__len__"):
        received = (f"an object of type {type(value).__name__} with __len__/__getitem__ (a dataset of "
                    f"samples?). Subclass keras.utils.PyDataset, whose __getitem__(index) returns a "
                    f"whole batch, or wrap it in torch.utils.data.DataLoader(dataset, batch_size=32)")
    else:
        received = f"an object of type {type(value).__name__}"
    raise ValueError(f"Argument `{argument}` must be {_ACCEPTED}; received {received}. A table-like "
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


def _warn_if_not_finite(structure, argument: str) -> None:
    """Warns when a floating tensor holds NaN or Inf; reads chunks, so scratch memory is bounded.

    A warning, not an error: Keras trains on such data (a model may replace NaN itself, a
    loss may mask NaN targets), and a NaN loss alone does not say where it came from.
    One host read per tensor (at the start of fit/evaluate, never per step).
    """
    for tensor in _leaves(structure):
        if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point() or tensor.numel() == 0:
            continue
        chunks = tensor.split(_rows_per_chunk(tensor))
        # min/max propagate NaN and show +-Inf; one pass with no scratch memory, ~5x faster
        # on CPU than `isfinite(chunk).all()`, which builds a boolean mask first.
        extremes = torch.stack([torch.stack(torch.aminmax(chunk)) for chunk in chunks])
        if not bool(torch.isfinite(extremes).all()):
            warnings.warn(_non_finite_message(chunks, argument), stacklevel=user_stacklevel())


def _rows_per_chunk(tensor: torch.Tensor) -> int:
    return max(1, NAN_CHECK_CHUNK_ELEMENTS // max(1, tensor[0].numel()))


def _non_finite_message(chunks, argument: str) -> str:
    first, count, has_nan, offset = None, 0, False, 0
    for chunk in chunks:
        bad = ~torch.isfinite(chunk.reshape(chunk.shape[0], -1)).all(dim=1)
        bad_rows = int(bad.sum())
        if bad_rows and first is None:
            first = offset + int(bad.nonzero()[0, 0])
        count += bad_rows
        has_nan = has_nan or bool(torch.isnan(chunk).any())
        offset += chunk.shape[0]
    return (f"Argument `{argument}` contains {'NaN' if has_nan else 'infinite'} values (first in "
            f"sample {first}, {count} samples in all). Training on them makes the loss NaN: "
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
    held_out = data.slice(split_at, data.size)
    held_out.resume = False  # validation starts a new pass every time, as in Keras
    return data.slice(0, split_at), held_out


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

    As in Keras, a class the dict does not list weighs 1.0.

    Example:
        >>> class_weights_to_samples({0: 1.0, 1: 3.0}, torch.tensor([0, 1, 2]), None).tolist()
        [1.0, 3.0, 1.0]
    """
    if not isinstance(y, torch.Tensor):
        raise ValueError("`class_weight` is supported for models with a single output only; use "
                         "`sample_weight` for several outputs.")
    table = _class_weight_table(class_weight, y.device)
    labels = y.argmax(dim=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(-1).round().long()
    listed = (labels >= 0) & (labels < table.numel())
    # A gather and a select on the device: no host read, so PyDataset batches stay sync-free.
    weights = torch.where(listed, table[labels.clamp(0, table.numel() - 1)], 1.0)
    return weights if sample_weight is None else weights * sample_weight


def _class_weight_table(class_weight, device) -> torch.Tensor:
    """Weight per class index 0..max key; classes between listed keys weigh 1.0."""
    if not isinstance(class_weight, dict) or not class_weight:
        raise ValueError(f"Argument `class_weight` must be a non-empty dict mapping class indices to "
                         f"weights, e.g. {{0: 1.0, 1: 5.0}}. Received: class_weight={class_weight!r}")
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, numbers.Real) or label < 0 \
                or float(label) != int(label):
            raise ValueError(f"Argument `class_weight` must map class indices (integers >= 0) to "
                             f"weights, but has the key {label!r}. Use the label values of `y` as "
                             f"keys, e.g. {{0: 1.0, 1: 5.0}}.")
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise ValueError(f"Argument `class_weight` must map class indices to numbers, but class "
                             f"{label!r} has the weight {weight!r}.")
    table = torch.ones(int(max(class_weight)) + 1, device=device)
    for label, weight in class_weight.items():
        table[int(label)] = float(weight)
    return table
