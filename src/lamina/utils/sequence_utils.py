"""Padding variable-length sequences to one length (`keras.utils.pad_sequences`).

Example:
    >>> from lamina.utils import pad_sequences
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)
"""
from __future__ import annotations

import numpy as np

__all__ = ["pad_sequences"]

_SIDES = ("pre", "post")


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pads (or truncates) each sequence to the same length, as Keras does.

    Args:
        sequences: a list (or array) of sequences, each a list or array of values.
        maxlen: the output length; None uses the longest sequence's length.
        dtype: the output dtype; use `object` for variable-length strings.
        padding: "pre" or "post": where the `value`s go in short sequences.
        truncating: "pre" or "post": which end of a long sequence is cut off.
        value: the padding value.

    Returns:
        A NumPy array of shape `(len(sequences), maxlen) + sample_shape`.

    Raises:
        ValueError: `padding`/`truncating` not "pre" or "post", a non-iterable sequence,
            a string `value` with a non-string dtype, or inconsistent sample shapes.

    Example:
        >>> pad_sequences([[1], [2, 3]], padding="post")
        array([[1, 0],
               [2, 3]], dtype=int32)
    """
    _check_side("padding", padding)
    _check_side("truncating", truncating)
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be a list of sequences; received an object of type "
                         f"{type(sequences).__name__}.")
    lengths, sample_shape = _lengths_and_sample_shape(sequences)
    if maxlen is None:
        maxlen = max(lengths, default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"Argument `maxlen` must be a non-negative integer or None; received "
                         f"maxlen={maxlen!r}.")
    _check_value_fits_dtype(value, dtype)
    padded = np.full((len(sequences), int(maxlen)) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return padded
    for index, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {index} "
                             f"is different from expected shape {sample_shape}.")
        if padding == "post":
            padded[index, :len(kept)] = kept
        else:
            padded[index, -len(kept):] = kept
    return padded


def _check_side(name: str, side) -> None:
    if side not in _SIDES:
        raise ValueError(f'{name.capitalize()} type "{side}" not understood: argument `{name}` '
                         f'must be "pre" or "post".')


def _lengths_and_sample_shape(sequences) -> tuple[list[int], tuple]:
    lengths, sample_shape = [], None
    for sequence in sequences:
        try:
            lengths.append(len(sequence))
        except TypeError:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: "
                             f"{sequence!r}. Wrap a single sequence in a list: "
                             f"pad_sequences([sequence]).") from None
        # The first non-empty sequence fixes the shape of one time step.
        if sample_shape is None and len(sequence):
            sample_shape = np.asarray(sequence).shape[1:]
    return lengths, sample_shape or ()


def _check_value_fits_dtype(value, dtype) -> None:
    is_text_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text_dtype:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
                         f"You should set `dtype=object` for variable length strings.")
