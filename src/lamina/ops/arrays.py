"""Rearranging and indexing tensors: `reshape`, `transpose`, `concatenate`, `take`, `pad`, ...

Shape changes are views where torch allows; `take` and `take_along_axis` count negative
indices from the end on the device, as Keras does, without reading the indices back.

Example:
    >>> from lamina import ops
    >>> ops.expand_dims(torch.zeros(3), 0).shape
    torch.Size([1, 3])
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.ops.core import first_device, tensor, tensors

__all__ = [
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze",
    "broadcast_to", "concatenate", "stack", "tile", "repeat", "split", "flip", "roll", "take",
    "take_along_axis", "where", "pad", "view",
]


def _shape(shape) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


def reshape(x, newshape) -> torch.Tensor:
    """`x` with a new shape (one dim may be -1); a view when the memory allows.

    Example:
        >>> reshape(torch.arange(6), (2, -1)).shape
        torch.Size([2, 3])
    """
    return torch.reshape(tensor(x), _shape(newshape))


def ravel(x) -> torch.Tensor:
    """`x` flattened to 1-D.

    Example:
        >>> ravel(torch.ones(2, 3)).shape
        torch.Size([6])
    """
    return torch.ravel(tensor(x))


def transpose(x, axes=None) -> torch.Tensor:
    """`x` with its axes permuted (reversed when `axes` is None), as a view.

    Example:
        >>> transpose(torch.zeros(2, 3, 4)).shape
        torch.Size([4, 3, 2])
    """
    x = tensor(x)
    return x.permute(tuple(range(x.ndim - 1, -1, -1)) if axes is None else tuple(axes))


def swapaxes(x, axis1: int, axis2: int) -> torch.Tensor:
    """`x` with two axes exchanged.

    Example:
        >>> swapaxes(torch.zeros(2, 3, 4), 0, 2).shape
        torch.Size([4, 3, 2])
    """
    return torch.swapaxes(tensor(x), axis1, axis2)


def moveaxis(x, source, destination) -> torch.Tensor:
    """`x` with the `source` axes moved to `destination`.

    Example:
        >>> moveaxis(torch.zeros(2, 3, 4), 0, -1).shape
        torch.Size([3, 4, 2])
    """
    return torch.moveaxis(tensor(x), source, destination)


def expand_dims(x, axis) -> torch.Tensor:
    """`x` with new size-1 axes inserted at `axis` (an int or a tuple).

    Example:
        >>> expand_dims(torch.zeros(3), (0, -1)).shape
        torch.Size([1, 3, 1])
    """
    x = tensor(x)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out_ndim = x.ndim + len(axes)
    for dim in sorted(a % out_ndim for a in axes):
        x = torch.unsqueeze(x, dim)
    return x


def squeeze(x, axis=None) -> torch.Tensor:
    """`x` without size-1 axes (all of them, or those in `axis`).

    Raises:
        ValueError: when an axis in `axis` does not have size 1 (NumPy raises too).

    Example:
        >>> squeeze(torch.zeros(1, 3, 1)).shape
        torch.Size([3])
    """
    x = tensor(x)
    if axis is None:
        return torch.squeeze(x)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a} of a tensor of shape {tuple(x.shape)}: "
                             f"its size is {x.shape[a]}, not 1.")
    return torch.squeeze(x, dim=axes)


def broadcast_to(x, shape) -> torch.Tensor:
    """`x` broadcast to `shape` (a view, no copy).

    Example:
        >>> broadcast_to(torch.tensor([1, 2]), (3, 2)).shape
        torch.Size([3, 2])
    """
    return torch.broadcast_to(tensor(x), _shape(shape))


def concatenate(xs, axis: int = 0) -> torch.Tensor:
    """Joins tensors along an existing `axis` (promoting to a common dtype).

    Example:
        >>> concatenate([torch.zeros(2, 1), torch.ones(2, 2)], axis=1).shape
        torch.Size([2, 3])
    """
    return torch.cat(tensors(*xs), dim=axis)


def stack(x, axis: int = 0) -> torch.Tensor:
    """Joins tensors of one shape along a new `axis`.

    Example:
        >>> stack([torch.zeros(3), torch.ones(3)], axis=1).shape
        torch.Size([3, 2])
    """
    parts = tensors(*x)
    common = parts[0].dtype
    for part in parts[1:]:
        common = torch.promote_types(common, part.dtype)
    return torch.stack([p.to(common) for p in parts], dim=axis)


def tile(x, repeats) -> torch.Tensor:
    """`x` repeated `repeats` times along each axis (NumPy's `tile`).

    Example:
        >>> tile(torch.tensor([1, 2]), 2)
        tensor([1, 2, 1, 2])
    """
    reps = (repeats,) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    return torch.tile(tensor(x), reps)


def repeat(x, repeats, axis: int | None = None) -> torch.Tensor:
    """Each element of `x` repeated `repeats` times along `axis` (flattened when None).

    A tensor of per-element counts needs the output size from the host (one read).

    Example:
        >>> repeat(torch.tensor([1, 2]), 2)
        tensor([1, 1, 2, 2])
    """
    x = tensor(x)
    if not isinstance(repeats, int):
        repeats = tensor(repeats, x.device).long()
    return torch.repeat_interleave(x, repeats, dim=axis)


def split(x, indices_or_sections, axis: int = 0) -> list[torch.Tensor]:
    """Splits `x` into equal sections, or at the given indices, along `axis`.

    Raises:
        ValueError: when an int `indices_or_sections` does not divide `x.shape[axis]`.

    Example:
        >>> [p.shape[0] for p in split(torch.zeros(6), [1, 4])]
        [1, 3, 2]
    """
    x = tensor(x)
    if isinstance(indices_or_sections, int):
        size = x.shape[axis]
        if size % indices_or_sections:
            raise ValueError(
                f"`split` of axis {axis} (size {size}) into {indices_or_sections} equal "
                f"sections is impossible: {size} is not divisible by {indices_or_sections}. "
                f"Pass split indices instead, e.g. [{size // 2}].")
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, [int(i) for i in indices_or_sections], dim=axis))


def flip(x, axis=None) -> torch.Tensor:
    """`x` with the order of elements reversed along `axis` (all axes when None).

    Example:
        >>> flip(torch.tensor([1, 2, 3]))
        tensor([3, 2, 1])
    """
    x = tensor(x)
    dims = tuple(range(x.ndim)) if axis is None else (
        tuple(axis) if isinstance(axis, (tuple, list)) else (axis,))
    return torch.flip(x, dims)


def roll(x, shift, axis=None) -> torch.Tensor:
    """`x` with elements shifted cyclically by `shift` along `axis` (flattened when None).

    Example:
        >>> roll(torch.tensor([1, 2, 3]), 1)
        tensor([3, 1, 2])
    """
    return torch.roll(tensor(x), shift, dims=axis)


def _wrap_negative(indices: torch.Tensor, size: int) -> torch.Tensor:
    # Keras (like JAX) counts negative indices from the end; this stays on the device.
    return torch.where(indices < 0, indices + size, indices)


def take(x, indices, axis: int | None = None) -> torch.Tensor:
    """Elements of `x` at `indices` along `axis` (of the flattened `x` when None).

    Example:
        >>> take(torch.tensor([[1, 2], [3, 4]]), [1, -1], axis=1)
        tensor([[2, 2],
                [4, 4]])
    """
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = axis % x.ndim
    index = _wrap_negative(tensor(indices, x.device).long(), x.shape[axis])
    if x.ndim == 2 and axis == 0:
        return F.embedding(index, x)  # row lookup with the fast embedding backward
    out = torch.index_select(x, axis, index.reshape(-1))
    return out.reshape(x.shape[:axis] + index.shape + x.shape[axis + 1:])


def take_along_axis(x, indices, axis: int | None = None) -> torch.Tensor:
    """Picks values from `x` at `indices` matched element-wise along `axis`.

    Example:
        >>> take_along_axis(torch.tensor([[10, 30, 20]]), torch.tensor([[1, 2]]), axis=1)
        tensor([[30, 20]])
    """
    x = tensor(x)
    index = tensor(indices, x.device).long()
    size = x.numel() if axis is None else x.shape[axis]
    return torch.take_along_dim(x, _wrap_negative(index, size), dim=axis)


def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; with only `condition`, its non-zero indices.

    Example:
        >>> where(torch.tensor([True, False]), 1.0, torch.tensor([5.0, 6.0]))
        tensor([1., 6.])
    """
    if (x1 is None) != (x2 is None):
        raise ValueError("`where` takes both `x1` and `x2`, or neither. Received: "
                         f"x1={'None' if x1 is None else 'a value'}, "
                         f"x2={'None' if x2 is None else 'a value'}.")
    device = first_device((condition, x1, x2))
    mask = tensor(condition, device)
    if mask.dtype != torch.bool:
        mask = mask != 0
    if x1 is None:
        return tuple(i.to(torch.int32) for i in torch.nonzero(mask, as_tuple=True))
    if not isinstance(x1, torch.Tensor) and not isinstance(x2, torch.Tensor):
        x1, x2 = tensor(x1, device), tensor(x2, device)
    elif not isinstance(x1, (torch.Tensor, bool, int, float)):
        x1 = tensor(x1, device)
    elif not isinstance(x2, (torch.Tensor, bool, int, float)):
        x2 = tensor(x2, device)
    return torch.where(mask, x1, x2)


def _normalize_pad_width(pad_width, ndim: int) -> list[tuple[int, int]]:
    if isinstance(pad_width, int):
        return [(pad_width, pad_width)] * ndim
    if len(pad_width) == 2 and all(isinstance(p, int) for p in pad_width):
        return [tuple(pad_width)] * ndim  # one (before, after) pair for every axis
    pairs = [(p, p) if isinstance(p, int) else tuple(p) for p in pad_width]
    if len(pairs) == 1:
        pairs = pairs * ndim
    if len(pairs) != ndim or any(len(p) != 2 for p in pairs):
        raise ValueError(f"`pad_width` needs one (before, after) pair per axis ({ndim} axes). "
                         f"Received: pad_width={pad_width!r}.")
    return [(int(a), int(b)) for a, b in pairs]


def _pad_axis(x: torch.Tensor, axis: int, before: int, after: int, mode: str) -> torch.Tensor:
    size = x.shape[axis]
    limit = size - 1 if mode == "reflect" else size
    if before > limit or after > limit:
        raise ValueError(f"`pad` with mode={mode!r} can add at most {limit} values on a side "
                         f"of axis {axis} (size {size}). Received: ({before}, {after}).")
    if mode == "reflect":
        head = x.narrow(axis, 1, before).flip(axis)
        tail = x.narrow(axis, size - 1 - after, after).flip(axis)
    elif mode == "symmetric":
        head = x.narrow(axis, 0, before).flip(axis)
        tail = x.narrow(axis, size - after, after).flip(axis)
    elif mode == "edge":
        head = x.narrow(axis, 0, 1).repeat_interleave(before, dim=axis)
        tail = x.narrow(axis, size - 1, 1).repeat_interleave(after, dim=axis)
    else:  # wrap
        head = x.narrow(axis, size - before, before)
        tail = x.narrow(axis, 0, after)
    return torch.cat([head, x, tail], dim=axis)


_PAD_MODES = ("constant", "reflect", "symmetric", "edge", "wrap")


def pad(x, pad_width, mode: str = "constant", constant_values=None) -> torch.Tensor:
    """`x` padded with `pad_width` values before and after each axis (NumPy's `pad`).

    Args:
        x: Input tensor.
        pad_width: An int, one (before, after) pair, or one pair per axis.
        mode: 'constant', 'reflect', 'symmetric', 'edge' or 'wrap'.
        constant_values: The fill value for mode='constant' (default 0).

    Returns:
        The padded tensor.

    Example:
        >>> pad(torch.tensor([1, 2]), (1, 2))
        tensor([0, 1, 2, 0, 0])
    """
    x = tensor(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"`pad` mode must be one of {_PAD_MODES}. Received: mode={mode!r}.")
    if constant_values is not None and mode != "constant":
        raise ValueError("`constant_values` can only be given with mode='constant'. "
                         f"Received: mode={mode!r}.")
    widths = _normalize_pad_width(pad_width, x.ndim)
    if mode == "constant":
        flat = [w for pair in reversed(widths) for w in pair]
        return F.pad(x, flat, value=0 if constant_values is None else constant_values)
    for axis, (before, after) in enumerate(widths):
        if before or after:
            x = _pad_axis(x, axis, before, after, mode)
    return x


def view(x, dtype=None) -> torch.Tensor:
    """The same bytes read as `dtype` (a bitwise view; the last axis rescales with the size).

    Example:
        >>> view(torch.tensor([1.0]), "int32")
        tensor([1065353216], dtype=torch.int32)
    """
    x = tensor(x)
    return x.view(x.dtype if dtype is None else backend.torch_dtype(dtype))
