"""Reuters newswires: 11 228 news stories labelled over 46 topics, as word indices.

Words are indexed by how often they occur (1 = most frequent). Read from
`$LAMINA_DATASETS/reuters/reuters.npz`, else the cache, else downloaded once.

Example:
    >>> import lamina as keras
    >>> keras.datasets.reuters.get_label_names()[:4]
    ('cocoa', 'grain', 'veg-oil', 'earn')
"""
from __future__ import annotations

import numbers
import os

import numpy as np

from lamina.datasets._dataset_file import dataset_file
from lamina.datasets._download import DatasetIntegrityError
from lamina.datasets._restricted_pickle import load_npz
from lamina.datasets._word_sequences import (
    check_arguments, drop_long, limit_vocabulary, object_array, read_word_index,
    shift_indices,
)

__all__ = ["load_data", "get_word_index", "get_label_names"]

_NAME = "reuters"
_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Keras' published hashes (keras/src/datasets/reuters.py): SHA-256 of the data, MD5 of the index.
_FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
_WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path: str | os.PathLike = "reuters.npz", num_words: int | None = None,
              skip_top: int = 0, maxlen: int | None = None, test_split: float = 0.2,
              seed: int | None = 113, start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads Reuters as Keras does: `(x_train, y_train), (x_test, y_test)`.

    The stories are shuffled with `np.random.RandomState(seed)`, every index is shifted by
    `index_from` and `start_char` put in front, stories of `maxlen` indices or more are
    dropped, indices outside `[skip_top, num_words)` become `oov_char` (without
    `num_words` the bound is the largest index, which itself becomes `oov_char`, as in
    Keras), and the first `int(n * (1 - test_split))` stories are the training split.

    Args:
        path: where `reuters.npz` is cached, relative to `$LAMINA_HOME/datasets/reuters`
            (default `~/.lamina/datasets/reuters`); an absolute path is used as it is.
        num_words: indices of `num_words` or more (after the shift), i.e. the rarer
            words, become `oov_char`. None keeps all but the largest index.
        skip_top: indices below this (after the shift) become `oov_char`.
        maxlen: drop stories whose shifted length (start mark included) is `maxlen` or more.
        test_split: the fraction of stories kept for testing, between 0 and 1.
        seed: seed of the shuffle.
        start_char: the index put at the start of each story; None for none.
        oov_char: the index replacing cut-out words; None drops them.
        index_from: the shift added to every word index.

    Returns:
        `x_train`, `x_test`: 1-D object arrays of lists of ints (one list per story);
        `y_train`, `y_test`: int64 arrays of topics 0-45 (`get_label_names()`).

    Raises:
        DatasetNotFoundError: `reuters.npz` is not here and cannot be downloaded.
        DatasetIntegrityError: the file is damaged or asks to run code (a `ValueError`).
        ValueError: `test_split` is outside [0, 1], or `maxlen` leaves no story.
        TypeError: an argument is not a number.

    Example:
        >>> import pathlib, tempfile
        >>> stories = np.empty(5, dtype=object)
        >>> for i in range(5):
        ...     stories[i] = list(range(i + 1))
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "reuters.npz"
        >>> np.savez(path, x=stories, y=np.array([3, 4, 3, 19, 3]))
        >>> (x_train, y_train), (x_test, y_test) = load_data(path=path, test_split=0.4)
        >>> len(x_train), len(x_test), y_train.dtype
        (3, 2, dtype('int64'))
    """
    if not isinstance(test_split, numbers.Real) or not 0 <= test_split <= 1:
        raise ValueError(
            f"`test_split` must be a fraction between 0 and 1 (0.2 keeps 20% of the stories "
            f"for testing), but received test_split={test_split!r}.")
    check_arguments(num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                    start_char=start_char, oov_char=oov_char, index_from=index_from)
    file = dataset_file(_NAME, "reuters.npz", title="Reuters newswires",
                        url=_BASE_URL + "reuters.npz", file_hash=_FILE_HASH, path=path)
    arrays = load_npz(file)
    missing = [key for key in ("x", "y") if key not in arrays]
    if missing:
        raise DatasetIntegrityError(
            f"{file} lacks the arrays {missing}; a Reuters file holds ['x', 'y']. "
            f"Replace it with Keras' reuters.npz.")
    sequences, labels = arrays["x"], arrays["y"]

    order = np.arange(len(sequences))
    np.random.RandomState(seed).shuffle(order)
    sequences = shift_indices(sequences[order], start_char, index_from)
    labels = labels[order]
    if maxlen:
        sequences, labels = drop_long(maxlen, sequences, labels)
        if not sequences:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence "
                f"was kept. Increase maxlen.")
    sequences = limit_vocabulary(sequences, num_words, skip_top, oov_char)

    split = int(len(sequences) * (1 - test_split))
    return ((object_array(sequences[:split]), np.array(labels[:split])),
            (object_array(sequences[split:]), np.array(labels[split:])))


def get_word_index(path: str | os.PathLike = "reuters_word_index.json") -> dict[str, int]:
    """The dict from each Reuters word to its index before the `index_from` shift (Keras').

    Read from `$LAMINA_DATASETS/reuters/reuters_word_index.json`, else the cache, else
    downloaded once. Indices 0, 1 and 2 of `load_data()`'s sequences are padding, start
    and out-of-vocabulary; add `index_from` (3) to an index here to find its word there.

    Args:
        path: where the file is cached, relative to `$LAMINA_HOME/datasets/reuters`;
            an absolute path is used as it is.

    Returns:
        A dict of word → index (1 = the most frequent word).

    Raises:
        DatasetNotFoundError: the file is not here and cannot be downloaded.
        DatasetIntegrityError: the file is not a JSON object (a `ValueError`).

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "index.json"
        >>> _ = path.write_text('{"said": 1, "mln": 2}')
        >>> get_word_index(path=path)["mln"]
        2
    """
    file = dataset_file(_NAME, "reuters_word_index.json", title="The Reuters word index",
                        url=_BASE_URL + "reuters_word_index.json", file_hash=_WORD_INDEX_MD5,
                        path=path, hash_algorithm="md5", call="get_word_index()")
    return read_word_index(file)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label (Keras' `reuters.get_label_names()`).

    Returns:
        A tuple of strings; `get_label_names()[y]` names topic `y`.

    Example:
        >>> len(get_label_names()), get_label_names()[3]
        (46, 'earn')
    """
    return _LABEL_NAMES
