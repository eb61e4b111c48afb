"""Segment reductions and control flow: `segment_sum`, `segment_max`, `switch`, `scan`, ...

Example:
    >>> from lamina import ops
    >>> ops.segment_sum(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1]))
    tensor([3., 3.])
"""
from __future__ import annotations

import torch
from torch.utils import _pytree as pytree

from lamina import backend
from lamina.ops.core import tensor, tensors

__all__ = [
    "saturate_cast",
    "scan",
    "segment_max",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "switch",
]


def _segments(data, segment_ids, num_segments, reduce: str):
    data, ids = tensors(data, segment_ids)
    ids = ids.long()
    count = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    shape = (count,) + tuple(data.shape[1:])
    index = ids.reshape(-1, *([1] * (data.dim() - 1))).expand_as(data)
    if reduce == "sum":
        return torch.zeros(shape, dtype=data.dtype, device=data.device).scatter_add_(0, index,
                                                                                      data)
    out = torch.zeros(shape, dtype=data.dtype, device=data.device)
    # Empty segments hold 0 here; Keras (JAX) gives the reduction's identity (-inf for max).
    return out.scatter_reduce_(0, index, data, reduce=reduce, include_self=False)


def segment_sum(data, segment_ids, num_segments=None, sorted: bool = False):
    """Sums the rows of `data` that share a segment id.

    Example:
        >>> segment_sum(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1]))
        tensor([3., 3.])
    """
    return _segments(data, segment_ids, num_segments, "sum")


def segment_max(data, segment_ids, num_segments=None, sorted: bool = False):
    """The maximum of the rows of `data` that share a segment id.

    Example:
        >>> segment_max(torch.tensor([1.0, 5.0, 3.0]), torch.tensor([0, 0, 1]))
        tensor([5., 3.])
    """
    return _segments(data, segment_ids, num_segments, "amax")


def segment_min(data, segment_ids, num_segments=None, sorted: bool = False):
    """The minimum of the rows of `data` that share a segment id.

    Example:
        >>> segment_min(torch.tensor([1.0, 5.0, 3.0]), torch.tensor([0, 0, 1]))
        tensor([1., 3.])
    """
    return _segments(data, segment_ids, num_segments, "amin")


def segment_prod(data, segment_ids, num_segments=None, sorted: bool = False):
    """The product of the rows of `data` that share a segment id.

    Example:
        >>> segment_prod(torch.tensor([2.0, 5.0, 3.0]), torch.tensor([0, 0, 1]))
        tensor([10.,  3.])
    """
    return _segments(data, segment_ids, num_segments, "prod")


def switch(index, branches, *operands):
    """Calls `branches[index](*operands)`, `index` clamped into range as in Keras.

    Example:
        >>> switch(1, [lambda x: x + 1, lambda x: x * 10], torch.tensor(2))
        tensor(20)
    """
    position = int(index)
    position = min(max(position, 0), len(branches) - 1)
    return branches[position](*operands)


def scan(f, init, xs=None, length=None, reverse: bool = False, unroll=1):
    """Loops `carry, y = f(carry, x)` over the leading axis of `xs`; returns `(carry, ys)`.

    Example:
        >>> carry, ys = scan(lambda c, x: (c + x, c * x), torch.tensor(0.0),
        ...                  torch.tensor([1.0, 2.0, 3.0]))
        >>> carry, ys
        (tensor(6.), tensor([0., 2., 9.]))
    """
    if xs is None and length is None:
        raise ValueError("`scan` needs `xs` or `length` to know how many steps to run.")
    leaves, structure = pytree.tree_flatten(xs) if xs is not None else ([], None)
    steps = int(length) if length is not None else int(leaves[0].shape[0])
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    carry, outputs = init, []
    for i in order:
        x = pytree.tree_unflatten([leaf[i] for leaf in leaves], structure) if leaves else None
        carry, y = f(carry, x)
        outputs.append(y)
    if reverse:
        outputs.reverse()
    if not outputs or outputs[0] is None:
        return carry, None
    stacked = pytree.tree_map(lambda *ys: torch.stack([tensor(y) for y in ys]), *outputs)
    return carry, stacked


def saturate_cast(x, dtype) -> torch.Tensor:
    """Casts to `dtype`, clipping values to its range first (no integer wrap-around).

    Example:
        >>> saturate_cast(torch.tensor([-5.0, 300.0]), "uint8")
        tensor([  0, 255], dtype=torch.uint8)
    """
    x = tensor(x)
    target = backend.standardize_dtype(dtype)
    info = torch.iinfo(target) if not target.is_floating_point else torch.finfo(target)
    if x.is_floating_point() or target.is_floating_point:
        low = max(float(info.min), float(torch.finfo(x.dtype).min)) if x.is_floating_point() \
            else float(info.min)
        high = min(float(info.max), float(torch.finfo(x.dtype).max)) if x.is_floating_point() \
            else float(info.max)
        return torch.clamp(x, low, high).to(target)
    return torch.clamp(x, int(info.min), int(info.max)).to(target)
