"""Arguments shared by the cropping, padding and upsampling layers: per-axis pairs, spatial axes.

Example:
    >>> standardize_pairs(1, 2, "padding", "ZeroPadding2D")
    ((1, 1), (1, 1))
    >>> standardize_pairs(((0, 1), 2), 2, "cropping", "Cropping2D")
    ((0, 1), (2, 2))
    >>> spatial_axes("channels_first", 2)
    [2, 3]
"""
from __future__ import annotations

from lamina.utils.argument_validation import standardize_tuple

__all__ = ["standardize_pairs", "spatial_axes"]

_ORDINALS = ("1st", "2nd", "3rd")


def standardize_pairs(value, rank: int, name: str, layer_class: str) -> tuple[tuple[int, int], ...]:
    """`value` (an int, `rank` ints, or `rank` pairs) as `rank` (before, after) pairs of ints >= 0.

    Raises:
        ValueError: a negative amount, a wrong number of entries, or a value of another type.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * rank
    if isinstance(value, (list, tuple)):
        if len(value) != rank:
            raise ValueError(f"`{name}` should have {rank} elements. Received: {name}={value!r}.")
        return tuple(standardize_tuple(entry, 2, f"{_ORDINALS[index]} entry of {name}",
                                       allow_zero=True) for index, entry in enumerate(value))
    ints = ", ".join(f"symmetric_dim{i + 1}_{name}" for i in range(rank))
    pairs = ", ".join(f"(dim{i + 1}_before, dim{i + 1}_after)" for i in range(rank))
    raise ValueError(f"{layer_class}: `{name}` should be either an int, a tuple of {rank} ints "
                     f"({ints}), or a tuple of {rank} tuples of 2 ints ({pairs}). "
                     f"Received: {name}={value!r}.")


def spatial_axes(data_format: str, rank: int) -> list[int]:
    """The `rank` spatial axes of a batched input in `data_format`."""
    first = 2 if data_format == "channels_first" else 1
    return list(range(first, first + rank))
