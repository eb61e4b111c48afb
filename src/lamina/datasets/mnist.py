"""MNIST: 70 000 grayscale 28x28 images of handwritten digits (LeCun, Cortes; CC BY-SA 3.0).

Example:
    >>> import lamina as keras
    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    >>> x_train.shape, y_train[:3]
    ((60000, 28, 28), array([5, 0, 4], dtype=uint8))
"""
from __future__ import annotations

import os
import zipfile

import numpy as np

from lamina.datasets._download import (
    DatasetIntegrityError, datasets_home, fetch, local_idx_folder, missing_dataset_error,
    read_idx_dataset,
)

__all__ = ["load_data"]

_NAME = "mnist"
_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
# Keras' published SHA-256 of mnist.npz (keras/src/datasets/mnist.py).
_FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str | os.PathLike = "mnist.npz"
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads MNIST as Keras does: `(x_train, y_train), (x_test, y_test)`.

    The four original IDX files are read from `$LAMINA_DATASETS/mnist/` or the cache's
    `mnist/` folder; else Keras' `mnist.npz` is read from the cache (default
    `~/.lamina/datasets/mnist.npz`), downloaded there once and checked against its
    published SHA-256.

    Args:
        path: where `mnist.npz` is cached, relative to `$LAMINA_HOME/datasets`
            (default `~/.lamina/datasets`); an absolute path is used as it is.

    Returns:
        `x_train` uint8 (60000, 28, 28), `y_train` uint8 (60000,), `x_test` uint8
        (10000, 28, 28), `y_test` uint8 (10000,). New arrays on each call.

    Raises:
        DatasetNotFoundError: the data is not here and cannot be downloaded (an
            `OSError`); the message says where to put the files.
        DatasetIntegrityError: a file is damaged (a `ValueError`).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()
        >>> x_test.shape
        (10000, 28, 28)
    """
    folder = local_idx_folder(_NAME)
    if folder is not None:
        return read_idx_dataset(folder)
    npz_path = datasets_home() / path
    try:
        fetch(_URL, _FILE_HASH, npz_path)
    except OSError as err:
        alternative = f"put Keras' mnist.npz at {npz_path}"
        raise missing_dataset_error("MNIST", _NAME, [_URL], err, alternative) from err
    return _read_npz(npz_path)


def _read_npz(npz_path):
    try:
        # allow_pickle=False: a data file must never be able to run code.
        with np.load(npz_path, allow_pickle=False) as arrays:
            missing = [key for key in _NPZ_KEYS if key not in arrays.files]
            if missing:
                raise DatasetIntegrityError(
                    f"{npz_path} lacks the arrays {missing}; expected {list(_NPZ_KEYS)}. "
                    f"Delete it and call load_data() again to download it.")
            x_train, y_train, x_test, y_test = (arrays[key] for key in _NPZ_KEYS)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        if isinstance(err, DatasetIntegrityError):
            raise
        raise DatasetIntegrityError(
            f"{npz_path} is not a readable .npz file ({err}). Delete it and call "
            f"load_data() again to download it.") from err
    return (x_train, y_train), (x_test, y_test)
