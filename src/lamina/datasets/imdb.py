"""IMDB: 50 000 movie reviews labelled by sentiment (Maas et al., 2011), as word indices.

Words are indexed by how often they occur in the training set (1 = most frequent), so
`num_words=10000` keeps the 10 000 most frequent. Read from
`$LAMINA_DATASETS/imdb/imdb.npz`, else the cache, else downloaded once.

Example:
    >>> import pathlib, tempfile
    >>> reviews = np.empty(2, dtype=object)
    >>> reviews[0], reviews[1] = [0, 5, 9], [4]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "imdb.npz"
    >>> np.savez(path, x_train=reviews, y_train=np.array([1, 0]),
    ...          x_test=reviews, y_test=np.array([1, 0]))
    >>> (x_train, y_train), (x_test, y_test) = load_data(path=path)
    >>> x_train.tolist(), y_train
    ([[1, 3, 8, 2], [1, 7]], array([1, 0]))
"""
from __future__ import annotations

import os
import warnings

import numpy as np

from lamina.datasets._dataset_file import dataset_file
from lamina.datasets._download import DatasetIntegrityError
from lamina.datasets._restricted_pickle import load_npz
from lamina.datasets._word_sequences import (
    check_arguments, drop_long, limit_vocabulary, object_array, read_word_index,
    shift_indices,
)

__all__ = ["load_data", "get_word_index"]

_NAME = "imdb"
_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Keras' published hashes (keras/src/datasets/imdb.py): SHA-256 of the data, MD5 of the index.
_FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
_WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"
_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str | os.PathLike = "imdb.npz", num_words: int | None = None,
              skip_top: int = 0, maxlen: int | None = None, seed: int | None = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              **kwargs) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads IMDB as Keras does: `(x_train, y_train), (x_test, y_test)`, 25 000 reviews each.

    Each split is shuffled with `np.random.RandomState(seed)` (train first, then test),
    then every index is shifted by `index_from` and `start_char` put in front; reviews of
    `maxlen` indices or more are dropped; indices outside `[skip_top, num_words)` become
    `oov_char`. Without `num_words`, the bound is the largest index, which itself then
    becomes `oov_char`, exactly as in Keras.

    Args:
        path: where `imdb.npz` is cached, relative to `$LAMINA_HOME/datasets/imdb`
            (default `~/.lamina/datasets/imdb`); an absolute path is used as it is.
        num_words: indices of `num_words` or more (after the shift), i.e. the rarer
            words, become `oov_char`. None keeps all but the largest index.
        skip_top: indices below this (after the shift) become `oov_char`.
        maxlen: drop reviews whose shifted length (start mark included) is `maxlen` or more.
        seed: seed of the shuffle.
        start_char: the index put at the start of each review; None for none.
        oov_char: the index replacing cut-out words; None drops them.
        index_from: the shift added to every word index.
        **kwargs: `nb_words`, TF-2's old name of `num_words`, is accepted with a warning.

    Returns:
        `x_train`, `x_test`: 1-D object arrays of lists of ints (one list per review);
        `y_train`, `y_test`: int64 arrays of 0 (negative) / 1 (positive).

    Raises:
        DatasetNotFoundError: `imdb.npz` is not here and cannot be downloaded.
        DatasetIntegrityError: the file is damaged or asks to run code (a `ValueError`).
        ValueError: `maxlen` leaves no review in a split.
        TypeError: an argument is not a number, or an unknown keyword is passed.

    Example:
        >>> import pathlib, tempfile
        >>> reviews = np.empty(3, dtype=object)
        >>> reviews[0], reviews[1], reviews[2] = [4, 5, 6], [7], [3, 8]
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "imdb.npz"
        >>> np.savez(path, x_train=reviews, y_train=np.array([1, 0, 1]),
        ...          x_test=reviews[:2], y_test=np.array([0, 1]))
        >>> (x_train, y_train), _ = load_data(path=path, num_words=10, maxlen=4)
        >>> x_train.tolist(), y_train.tolist()
        ([[1, 6, 2], [1, 2]], [1, 0])
    """
    if "nb_words" in kwargs:
        warnings.warn("The `nb_words` argument of `imdb.load_data` was renamed `num_words`; "
                      "pass num_words=... instead.", stacklevel=2)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(
            f"imdb.load_data() got unexpected keyword arguments {sorted(kwargs)}. It accepts "
            f"path, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from.")
    check_arguments(num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                    start_char=start_char, oov_char=oov_char, index_from=index_from)
    file = dataset_file(_NAME, "imdb.npz", title="IMDB", url=_BASE_URL + "imdb.npz",
                        file_hash=_FILE_HASH, path=path)
    arrays = load_npz(file)
    missing = [key for key in _NPZ_KEYS if key not in arrays]
    if missing:
        raise DatasetIntegrityError(
            f"{file} lacks the arrays {missing}; an IMDB file holds {list(_NPZ_KEYS)}. "
            f"Replace it with Keras' imdb.npz.")
    x_train, labels_train, x_test, labels_test = (arrays[key] for key in _NPZ_KEYS)

    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = x_train[order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = x_test[order], labels_test[order]

    x_train = shift_indices(x_train, start_char, index_from)
    x_test = shift_indices(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = drop_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence "
                f"was kept. Increase maxlen.")

    sequences = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    split = len(x_train)
    return ((object_array(sequences[:split]), labels[:split]),
            (object_array(sequences[split:]), labels[split:]))


def get_word_index(path: str | os.PathLike = "imdb_word_index.json") -> dict[str, int]:
    """The dict from each IMDB word to its index before the `index_from` shift (Keras').

    Read from `$LAMINA_DATASETS/imdb/imdb_word_index.json`, else the cache, else
    downloaded once. Add `index_from` (3) to an index to find the word in `load_data()`'s
    sequences.

    Args:
        path: where the file is cached, relative to `$LAMINA_HOME/datasets/imdb`;
            an absolute path is used as it is.

    Returns:
        A dict of word → index (1 = the most frequent word).

    Raises:
        DatasetNotFoundError: the file is not here and cannot be downloaded.
        DatasetIntegrityError: the file is not a JSON object (a `ValueError`).

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "index.json"
        >>> _ = path.write_text('{"the": 1, "and": 2}')
        >>> word_index = get_word_index(path=path)
        >>> {index + 3: word for word, index in word_index.items()}
        {4: 'the', 5: 'and'}
    """
    file = dataset_file(_NAME, "imdb_word_index.json", title="The IMDB word index",
                        url=_BASE_URL + "imdb_word_index.json", file_hash=_WORD_INDEX_MD5,
                        path=path, hash_algorithm="md5", call="get_word_index()")
    return read_word_index(file)
