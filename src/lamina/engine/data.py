"""Data for the engine: arrays become device tensors once; batches are gathered on the device.

Example:
    >>> data = ArrayData.from_user(np.zeros((100, 4)), np.zeros(100), device="cpu")
    >>> [x.shape[0] for x, _, _ in data.batches(batch_size=32, shuffle=True)]
    [32, 32, 32, 4]
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch.utils import _pytree as pytree

from lamina import backend

__all__ = ["ArrayData", "check_validation_split", "pack_x_y_sample_weight", "split_validation",
           "to_device_structure", "unpack_x_y_sample_weight"]


class ArrayData:
    """Inputs, targets and sample weights as device tensors (each a tensor or a list/dict of them)."""

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
        if _is_iterator_like(x):
            raise TypeError(f"Argument `x` must be array data (NumPy array, torch tensor, list, or a "
                            f"list/dict of them); received a {type(x).__name__}. Convert it with "
                            f"np.asarray or pass the arrays themselves.")
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


def _is_iterator_like(value) -> bool:
    return hasattr(value, "__next__") or (hasattr(value, "__iter__") and not isinstance(
        value, (np.ndarray, torch.Tensor, list, tuple, dict)) and not hasattr(value, "__array__"))


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
        if tensor.is_floating_point():
            bad = ~torch.isfinite(tensor)
            if bool(bad.any()):
                flat = bad.reshape(bad.shape[0], -1).any(dim=1)
                first = int(flat.nonzero()[0, 0])
                kind = "NaN" if bool(torch.isnan(tensor).any()) else "infinite"
                raise ValueError(f"Argument `{argument}` contains {kind} values (first in sample {first}, "
                                 f"{int(flat.sum())} samples in all). Training on them makes the loss NaN: "
                                 f"remove or impute them first (e.g. np.nan_to_num or dropping those rows).")


def _device_of(structure) -> torch.device:
    return _leaves(structure)[0].device


def _take(structure, indices):
    if structure is None:
        return None
    if isinstance(structure, torch.Tensor):
        return structure.index_select(0, indices)
    return pytree.tree_map(lambda t: t.index_select(0, indices), structure)


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
