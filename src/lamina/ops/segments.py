"""Segment reductions and control flow: `segment_sum`, `segment_max`, `switch`, `scan`, ...

Example:
    >>> from lamina import ops
    >>> ops.segment_sum(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1]))
    tensor([3., 3.])
"""
from __future__ import annotations

import math

import torch
from torch.utils import _pytree as pytree

from lamina import backend
from lamina.ops.core import tensor, tensors

__all__ = [
    "associative_scan",
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
    # Empty segments hold the reduction's identity, as in Keras: -inf (the lowest integer) for
    # max, +inf (the highest) for min, 1 for prod.
    out = torch.full(shape, _identity(reduce, data.dtype), dtype=data.dtype, device=data.device)
    return out.scatter_reduce_(0, index, data, reduce=reduce, include_self=False)


def _identity(reduce: str, dtype: torch.dtype):
    if reduce == "prod":
        return 1
    if dtype.is_floating_point:
        low, high = -math.inf, math.inf
    else:
        low, high = torch.iinfo(dtype).min, torch.iinfo(dtype).max
    return low if reduce == "amax" else high


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
    target = backend.torch_dtype(dtype)
    info = torch.iinfo(target) if not target.is_floating_point else torch.finfo(target)
    if x.is_floating_point() or target.is_floating_point:
        low = max(float(info.min), float(torch.finfo(x.dtype).min)) if x.is_floating_point() \
            else float(info.min)
        high = min(float(info.max), float(torch.finfo(x.dtype).max)) if x.is_floating_point() \
            else float(info.max)
        return torch.clamp(x, low, high).to(target)
    return torch.clamp(x, int(info.min), int(info.max)).to(target)


def _along(x: torch.Tensor, axis: int, start=None, stop=None, step=None) -> torch.Tensor:
    return x[(slice(None),) * (axis % x.dim()) + (slice(start, stop, step),)]


def _interleave(even: torch.Tensor, odd: torch.Tensor, axis: int) -> torch.Tensor:
    """`[e0, o0, e1, o1, ...]` along `axis`; `even` may be one longer than `odd`."""
    axis = axis % even.dim()
    count = odd.shape[axis]
    pairs = torch.stack([_along(even, axis, 0, count), odd], dim=axis + 1)
    merged = pairs.flatten(axis, axis + 1)
    if even.shape[axis] > count:
        merged = torch.cat([merged, _along(even, axis, count)], dim=axis)
    return merged


def associative_scan(f, elems, reverse: bool = False, axis: int = 0):
    """The prefix scan `[a, f(a, b), f(f(a, b), c), ...]` of an associative `f`, in parallel.

    `f(a, b)` combines two (trees of) tensors element-wise along `axis`; the work is split as
    in Blelloch's scan (JAX's `associative_scan`), in `O(log n)` calls of `f`.

    Args:
        f: An associative binary function on trees shaped like `elems`.
        elems: A tensor, or a tree of tensors sharing the size of `axis`.
        reverse: Scan from the end.
        axis: The axis to scan along.

    Returns:
        The scanned tree, shaped like `elems`.

    Example:
        >>> associative_scan(lambda a, b: a + b, torch.arange(5))
        tensor([ 0,  1,  3,  6, 10])
    """
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    leaves, structure = pytree.tree_flatten(elems)
    leaves = tensors(*leaves)
    if len({int(leaf.shape[axis]) for leaf in leaves}) > 1:
        raise ValueError("Array inputs to associative_scan must have the same first dimension. "
                         f"(saw: {[tuple(leaf.shape) for leaf in leaves]})")
    if reverse:
        leaves = [torch.flip(leaf, (axis,)) for leaf in leaves]

    def combine(a, b):
        out = f(pytree.tree_unflatten(a, structure), pytree.tree_unflatten(b, structure))
        return [tensor(leaf) for leaf in pytree.tree_leaves(out)]

    def scan(parts):
        count = parts[0].shape[axis]
        if count < 2:
            return parts
        odd = scan(combine([_along(p, axis, 0, -1, 2) for p in parts],
                           [_along(p, axis, 1, None, 2) for p in parts]))
        evens = [_along(p, axis, 2, None, 2) for p in parts]
        firsts = [_along(o, axis, 0, -1) for o in odd] if count % 2 == 0 else odd
        even = [torch.cat([_along(p, axis, 0, 1), e], dim=axis)
                for p, e in zip(parts, combine(firsts, evens))]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    scanned = scan(leaves)
    if reverse:
        scanned = [torch.flip(leaf, (axis,)) for leaf in scanned]
    return pytree.tree_unflatten(scanned, structure)
