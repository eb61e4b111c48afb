"""Text inputs of the string layers as NumPy arrays of Python `str` (torch has no string tensors).

Example:
    >>> to_string_array([b"caf\\xc3\\xa9", "tea"], "utf-8", "StringLookup").tolist()
    ['café', 'tea']
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["to_string_array", "string_array"]


def to_string_array(inputs, encoding: str, layer: str) -> np.ndarray:
    """`inputs` (str, bytes, nested lists, NumPy `U`/`S`/object arrays) as an object array of str.

    Bytes are decoded with `encoding`; the shape is kept (a single string gives a 0-d array).

    Raises:
        TypeError: for numbers or tensors, naming `layer` and what it takes.
    """
    if isinstance(inputs, torch.Tensor):
        raise TypeError(f"{layer} takes strings (a NumPy array or list of str), but received a "
                        f"tensor of dtype {str(inputs.dtype).replace('torch.', '')} and shape "
                        f"{tuple(inputs.shape)}. torch has no string tensors: pass the text as "
                        f"np.array([...]) or a list of str.")
    array = inputs if isinstance(inputs, np.ndarray) else np.array(inputs, dtype=object)
    if array.dtype.kind == "U":
        return array.astype(object)
    if array.dtype.kind not in "SO":
        raise TypeError(f"{layer} takes strings, but received an array of dtype {array.dtype} and "
                        f"shape {array.shape}. Map numbers with IntegerLookup, or convert them "
                        f"with x.astype(str) if they are really labels.")
    flat = [_as_str(item, encoding, layer) for item in array.reshape(-1)]
    return string_array(flat, array.shape)


def string_array(items, shape) -> np.ndarray:
    """An object array of `shape` holding the Python strings `items` (in C order)."""
    result = np.empty(len(items), dtype=object)
    result[:] = items
    return result.reshape(shape)


def _as_str(item, encoding: str, layer: str) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, (bytes, np.bytes_)):
        return bytes(item).decode(encoding)
    raise TypeError(f"{layer} takes strings, but the input holds {item!r} of type "
                    f"{type(item).__name__}. Pass str (or bytes) elements only.")
