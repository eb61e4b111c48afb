"""`rearrange`: einops-style axis patterns, as Keras' own implementation reads them.

A pattern names the input axes and the output axes, `"b h w c -> b c h w"`; parentheses group
axes into one (`"b h w c -> b (h w c)"`) or split one into several on the input side, with the
sizes of all but one part given as keywords (`"b (h1 h) w c -> (b h1) h w c", h1=2`). The
result is one reshape, one permute and one reshape.

Example:
    >>> from lamina import ops
    >>> ops.rearrange(torch.zeros(2, 3, 4, 5), "b h w c -> b c (h w)").shape
    torch.Size([2, 5, 12])
"""
from __future__ import annotations

import math
import re

import torch

from lamina.ops.core import tensor as as_tensor

__all__ = ["rearrange"]

_AXES = re.compile(r"\w+|\(.*?\)")


def _groups(side: str) -> list[list[str]]:
    """Each axis of one side of a pattern as the list of names it holds."""
    return [re.findall(r"\w+", axis) if axis.startswith("(") else [axis]
            for axis in _AXES.findall(side)]


def _sizes(groups: list[list[str]], shape, axes_lengths: dict, pattern: str) -> dict:
    """The size of every named axis: from the shape, the keywords, or inferred in a group."""
    if len(groups) != len(shape):
        raise ValueError(f"`rearrange` pattern {pattern!r} names {len(groups)} input axes, but "
                         f"the tensor has shape {tuple(shape)} ({len(shape)} axes).")
    sizes = dict(axes_lengths)
    for group, dim in zip(groups, shape):
        if len(group) == 1 and group[0] not in axes_lengths:
            sizes[group[0]] = dim
            continue
        unknown = [name for name in group if name not in axes_lengths]
        known = math.prod(axes_lengths[name] for name in group if name in axes_lengths)
        if len(unknown) > 1:
            raise ValueError(f"`rearrange` cannot infer the sizes of {unknown} in {pattern!r}; "
                             f"pass all but one of them as keywords, e.g. {unknown[0]}=2.")
        if unknown:
            sizes[unknown[0]] = dim // known
    return sizes


def rearrange(tensor, pattern: str, **axes_lengths) -> torch.Tensor:
    """Reorders, merges and splits the axes of `tensor` as `pattern` says.

    Args:
        tensor: The input tensor.
        pattern: e.g. `"b h w c -> b c h w"`, `"b (h1 h) w c -> (b h1) h w c"`.
        **axes_lengths: The sizes of axes split on the input side.

    Returns:
        The rearranged tensor.

    Example:
        >>> rearrange(torch.zeros(2, 4, 3), "b (h1 h) c -> (b h1) h c", h1=2).shape
        torch.Size([4, 2, 3])
    """
    x = as_tensor(tensor)
    sides = re.split(r"\s*->\s*", pattern)
    if len(sides) != 2:
        raise ValueError(f"`rearrange` expects a pattern 'inputs -> outputs'. Received: "
                         f"pattern={pattern!r}")
    inputs, outputs = (_groups(side) for side in sides)
    sizes = _sizes(inputs, x.shape, axes_lengths, pattern)
    names = [name for group in inputs for name in group]
    missing = [name for group in outputs for name in group if name not in names]
    if missing:
        raise ValueError(f"`rearrange` output axes {missing} are not among the input axes "
                         f"{names} of pattern {pattern!r}.")
    split = x.reshape([sizes[name] for name in names])
    order = [names.index(name) for group in outputs for name in group]
    return split.permute(order).reshape([math.prod(sizes[n] for n in group) for group in outputs])
