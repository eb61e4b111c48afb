"""Keras-style automatic names: the class name in snake case, then _1, _2, ... per session."""
from __future__ import annotations

import collections
import re

__all__ = ["to_snake_case", "unique_name", "reset_uids", "get_uid"]

_uids: collections.Counter = collections.Counter()


def to_snake_case(name: str) -> str:
    """'Conv2D' -> 'conv2d', 'BatchNormalization' -> 'batch_normalization'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def unique_name(prefix: str) -> str:
    """The first call gives 'dense', later ones 'dense_1', 'dense_2', ..."""
    count = _uids[prefix]
    _uids[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_uids() -> None:
    _uids.clear()


def get_uid(prefix: str = "") -> int:
    """Counts calls per `prefix` (1, 2, ...), sharing the counter of automatic names, as
    `keras.backend.get_uid` does.

    Example:
        >>> reset_uids(); get_uid("dense"), get_uid("dense"), unique_name("dense")
        (1, 2, 'dense_2')
    """
    _uids[prefix] += 1
    return _uids[prefix]
