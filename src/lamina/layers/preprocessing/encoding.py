"""Integer indices -> one-hot, multi-hot or count vectors, shared by the preprocessing layers.

As in Keras 3, indices outside `[0, depth)` are dropped (they add nothing), which is how
masked tokens vanish from multi-hot and count outputs.

Example:
    >>> encode_categorical(torch.tensor([[0, 2, 2], [1, 9, 9]]), "count", depth=3)
    tensor([[1., 0., 2.],
            [0., 1., 0.]])
"""
from __future__ import annotations

import math

import torch

__all__ = ["encode_categorical", "categorical_output_shape"]


def encode_categorical(indices: torch.Tensor, output_mode: str, depth: int,
                       dtype=torch.float32, count_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Keras' `encode_categorical_inputs`: the last axis of `indices` is one sample's values.

    Args:
        indices: integer tensor; a scalar is one value, a 1-D tensor one sample for
            'multi_hot'/'count' and one value per sample for 'one_hot'.
        output_mode: 'int' (a cast), 'one_hot', 'multi_hot' or 'count'.
        depth: the size of the encoded axis.
        dtype: the output dtype.
        count_weights: per-value weights summed instead of 1s ('count' only).
    """
    if output_mode == "int":
        return indices.to(dtype)
    if indices.ndim == 0:
        indices = indices.reshape(1)
    valid = (indices >= 0) & (indices < depth)
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices, valid = indices.squeeze(-1), valid.squeeze(-1)
        # A comparison, not F.one_hot: out-of-range values give zeros instead of an error.
        classes = torch.arange(depth, device=indices.device)
        return ((indices.unsqueeze(-1) == classes) & valid.unsqueeze(-1)).to(dtype)
    leading = indices.shape[:-1]
    rows = indices.reshape(math.prod(leading), indices.shape[-1])
    # Dropped values land in an extra column that is cut off afterwards: one scatter, no mask copy.
    columns = torch.where(valid.reshape(rows.shape), rows, depth).long()
    if count_weights is not None:
        weights = count_weights.to(dtype).reshape(rows.shape)
    else:
        weights = torch.ones(rows.shape, dtype=dtype, device=indices.device)
    counts = torch.zeros(rows.shape[0], depth + 1, dtype=dtype, device=indices.device)
    counts.scatter_add_(1, columns, weights)
    counts = counts[:, :depth]
    if output_mode == "multi_hot":
        counts = (counts > 0).to(dtype)
    return counts.reshape(*leading, depth)


def categorical_output_shape(input_shape, output_mode: str, depth) -> tuple:
    """The shape `encode_categorical` gives for inputs of `input_shape` (None where unknown)."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)
