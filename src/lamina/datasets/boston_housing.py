"""Boston Housing: 506 Boston suburbs of the 1970s, 13 attributes, median home value (k$).

**Warning** (as in Keras): the dataset's authors included a variable, "B", that may appear
to assume that racial self-segregation influences house prices; use the dataset only to
illustrate such ethical issues in data science, or prefer `california_housing`.

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "boston.npz"
    >>> np.savez(path, x=np.arange(13.0 * 10).reshape(10, 13), y=np.arange(10.0))
    >>> (x_train, y_train), (x_test, y_test) = load_data(path=path)
    >>> x_train.shape, x_test.shape, y_train.dtype
    ((8, 13), (2, 13), dtype('float64'))
"""
from __future__ import annotations

import os

import numpy as np

from lamina.datasets._dataset_file import dataset_file
from lamina.datasets._tabular import check_test_split, load_xy, shuffle_and_split

__all__ = ["load_data"]

_NAME = "boston_housing"
_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
# Keras' published SHA-256 (keras/src/datasets/boston_housing.py).
_FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str | os.PathLike = "boston_housing.npz", test_split: float = 0.2,
              seed: int | None = 113
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads Boston Housing as Keras does: `(x_train, y_train), (x_test, y_test)`.

    The 506 samples are shuffled with `np.random.RandomState(seed)`; the first
    `int(506 * (1 - test_split))` are the training split (404 with the defaults).

    Args:
        path: where `boston_housing.npz` is cached, relative to
            `$LAMINA_HOME/datasets/boston_housing`; an absolute path is used as it is.
        test_split: the fraction kept for testing, in [0, 1).
        seed: seed of the shuffle.

    Returns:
        `x_train` float64 (404, 13), `y_train` float64 (404,), `x_test` float64 (102, 13),
        `y_test` float64 (102,) with the defaults; targets are in k$.

    Raises:
        ValueError: `test_split` is outside [0, 1).
        DatasetNotFoundError: the file is not here and cannot be downloaded (an `OSError`).
        DatasetIntegrityError: the file is damaged (a `ValueError`).

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "boston.npz"
        >>> np.savez(path, x=np.zeros((5, 13)), y=np.arange(5.0))
        >>> _, (x_test, y_test) = load_data(path=path, test_split=0.4, seed=0)
        >>> y_test
        array([3., 4.])
    """
    check_test_split(test_split)
    file = dataset_file(_NAME, "boston_housing.npz", title="Boston Housing", url=_URL,
                        file_hash=_FILE_HASH, path=path)
    x, y = load_xy(file)
    return shuffle_and_split(x, y, test_split, seed)
