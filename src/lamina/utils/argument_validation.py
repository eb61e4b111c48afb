"""Checks of layer arguments shared by several layer families (sizes, paddings, data_format).

Example:
    >>> standardize_tuple(2, 3, "size")
    (2, 2, 2)
    >>> standardize_data_format("Channels_First")
    'channels_first'
"""
from __future__ import annotations

import numpy as np

from lamina import backend

__all__ = ["standardize_tuple", "standardize_data_format"]


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """`value` (an int or `n` ints) as a tuple of `n` ints, each > 0 (or >= 0 with `allow_zero`).

    Raises:
        ValueError: naming the argument, what it must be and what was received.
    """
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}"
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, (int, np.integer)):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n:
            raise ValueError(message)
        for item in values:
            if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
                raise ValueError(f"{message}, including element {item!r} of type {type(item).__name__}")
        values = tuple(int(item) for item in values)
    bad = sorted({v for v in values if (v < 0 if allow_zero else v <= 0)})
    if bad:
        requirement = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{message}, including values {bad} that do not satisfy `value {requirement}`")
    return values


def standardize_data_format(data_format) -> str:
    """'channels_last' or 'channels_first' (case-insensitive); None means the global default.

    Raises:
        ValueError: for any other value.
    """
    if data_format is None:
        return backend.image_data_format()
    lowered = str(data_format).lower()
    if lowered not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format!r}")
    return lowered
