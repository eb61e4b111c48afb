"""California Housing: 20 640 census block groups (1990), 8 features, median house value ($).

The features, in column order: MedInc, HouseAge, AveRooms, AveBedrms, Population,
AveOccup, Latitude, Longitude. `version="small"` keeps the first 600 samples, a stand-in
for `boston_housing`.

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "california.npz"
    >>> np.savez(path, x=np.ones((10, 8), np.float32), y=np.arange(10.0, dtype=np.float32))
    >>> (x_train, y_train), (x_test, y_test) = load_data(path=path, test_split=0.3)
    >>> x_train.shape, x_test.shape
    ((7, 8), (3, 8))
"""
from __future__ import annotations

import os

import numpy as np

from lamina.datasets._dataset_file import dataset_file
from lamina.datasets._tabular import check_test_split, load_xy, shuffle_and_split

__all__ = ["load_data"]

_NAME = "california_housing"
_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
# Keras' published SHA-256 (keras/src/datasets/california_housing.py).
_FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
_SMALL_SAMPLES = 600


def load_data(version: str = "large", path: str | os.PathLike = "california_housing.npz",
              test_split: float = 0.2, seed: int | None = 113
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads California Housing as Keras does: `(x_train, y_train), (x_test, y_test)`.

    With `version="small"` only the first 600 samples are kept; the samples are then
    shuffled with `np.random.RandomState(seed)` and the first
    `int(n * (1 - test_split))` are the training split.

    Args:
        version: "large" (20 640 samples) or "small" (600).
        path: where `california_housing.npz` is cached, relative to
            `$LAMINA_HOME/datasets/california_housing`; an absolute path is used as it is.
        test_split: the fraction kept for testing, in [0, 1).
        seed: seed of the shuffle.

    Returns:
        `x_train` (n_train, 8), `y_train` (n_train,), `x_test`, `y_test`, in the file's
        dtype; targets are in dollars.

    Raises:
        ValueError: `version` is not "small"/"large", or `test_split` is outside [0, 1).
        DatasetNotFoundError: the file is not here and cannot be downloaded (an `OSError`).
        DatasetIntegrityError: the file is damaged (a `ValueError`).

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "california.npz"
        >>> np.savez(path, x=np.zeros((700, 8)), y=np.arange(700.0))
        >>> (x_train, _), (x_test, y_test) = load_data(version="small", path=path)
        >>> len(x_train), len(x_test), bool(y_test.max() < 600)
        (480, 120, True)
    """
    if version not in ("small", "large"):
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version!r}")
    check_test_split(test_split)
    file = dataset_file(_NAME, "california_housing.npz", title="California Housing",
                        url=_URL, file_hash=_FILE_HASH, path=path)
    x, y = load_xy(file)
    if version == "small":
        x, y = x[:_SMALL_SAMPLES], y[:_SMALL_SAMPLES]
    return shuffle_and_split(x, y, test_split, seed)
