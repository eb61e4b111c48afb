"""The word-index steps IMDB and Reuters share, in the order and with the rules Keras applies.

Keras' `imdb.load_data` and `reuters.load_data` shuffle, then shift every index by
`index_from` and prepend `start_char`, then drop sequences of `maxlen` words or more (the
shifted length, start mark included), then map indices outside `[skip_top, num_words)` to
`oov_char` (or drop them when `oov_char` is None). Without `num_words` the bound is the
largest index present, so that one index also becomes `oov_char`: Keras does this, and
matching it keeps results identical.

Example:
    >>> shift_indices([[0, 5]], start_char=1, index_from=3)
    [[1, 3, 8]]
    >>> limit_vocabulary([[1, 3, 8]], num_words=5, skip_top=0, oov_char=2)
    [[1, 3, 2]]
"""
from __future__ import annotations

import json
import numbers

import numpy as np

from lamina.datasets._download import DatasetIntegrityError

__all__ = ["check_arguments", "shift_indices", "drop_long", "limit_vocabulary", "object_array",
           "read_word_index"]

_REQUIRED = ("skip_top", "index_from")
_EXAMPLES = {"num_words": 10000, "skip_top": 0, "maxlen": 200, "start_char": 1, "oov_char": 2,
             "index_from": 3}


def check_arguments(**arguments) -> None:
    """Checks `num_words`, `skip_top`, `maxlen`, `start_char`, `oov_char`, `index_from`.

    Args:
        **arguments: the values by argument name; only `skip_top` and `index_from` may
            not be None.

    Raises:
        TypeError: a value is not a number, with the argument's name and what was received.
        ValueError: a value is negative.

    Example:
        >>> check_arguments(num_words="10000")
        Traceback (most recent call last):
        ...
        TypeError: `num_words` must be an int or None, but received num_words='10000' (a str). ...
    """
    for name, value in arguments.items():
        required = name in _REQUIRED
        if value is None and not required:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            expected = "an int" if required else "an int or None"
            raise TypeError(
                f"`{name}` must be {expected}, but received {name}={value!r} (a "
                f"{type(value).__name__}). Pass a whole number, e.g. {name}={_EXAMPLES[name]}.")
        if value < 0:
            raise ValueError(f"`{name}` must be 0 or more, but received {name}={value}.")


def shift_indices(sequences, start_char: int | None, index_from: int) -> list[list]:
    """Adds `index_from` to every index and puts `start_char` (unless None) in front.

    Args:
        sequences: an iterable of sequences of word indices.
        start_char: the index marking each sequence's start, or None for no mark.
        index_from: the shift; indices below it stay free for padding, start and OOV.

    Returns:
        New lists.
    """
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    return [[w + index_from for w in x] for x in sequences]


def drop_long(maxlen: int, sequences: list[list], labels) -> tuple[list[list], list]:
    """Keeps the sequences shorter than `maxlen` (strictly, as Keras does) and their labels.

    Args:
        maxlen: the length from which a sequence is dropped.
        sequences: the sequences.
        labels: one label per sequence.

    Returns:
        `(kept_sequences, kept_labels)`, lists.
    """
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(sequences: list[list], num_words: int | None, skip_top: int,
                     oov_char: int | None) -> list[list]:
    """Replaces (or, if `oov_char` is None, drops) indices outside `[skip_top, num_words)`.

    Args:
        sequences: shifted sequences.
        num_words: the exclusive upper bound; None or 0 means the largest index present.
        skip_top: the inclusive lower bound.
        oov_char: the replacement index, or None to drop those indices.

    Returns:
        New lists.
    """
    if not num_words:
        num_words = max((max(x) for x in sequences if len(x)), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def object_array(sequences: list[list]) -> np.ndarray:
    """A 1-D object array holding one list per sequence, whatever their lengths.

    Args:
        sequences: lists of word indices.

    Returns:
        The array (`np.array` would build a 2-D array when all lengths happen to agree).

    Example:
        >>> object_array([[1, 2], [3, 4]]).shape
        (2,)
    """
    array = np.empty(len(sequences), dtype=object)
    for i, sequence in enumerate(sequences):
        array[i] = sequence
    return array


def read_word_index(file) -> dict[str, int]:
    """Reads a word-index JSON file (`imdb`/`reuters.get_word_index`).

    Args:
        file: the `.json` file.

    Returns:
        The dict it holds.

    Raises:
        DatasetIntegrityError: not JSON, or not a JSON object.
    """
    try:
        with open(file, encoding="utf-8") as fh:
            word_index = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DatasetIntegrityError(
            f"{file} is not a JSON file ({err}). Replace it with the original word index."
        ) from err
    if not isinstance(word_index, dict):
        raise DatasetIntegrityError(
            f"{file} holds a JSON {type(word_index).__name__}, expected an object of "
            f"word: index. Replace it with the original word index.")
    return word_index
