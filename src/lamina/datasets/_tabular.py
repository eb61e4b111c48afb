"""The steps Boston and California Housing share: read `x`/`y`, shuffle by seed, split.

Example:
    >>> x, y = np.arange(10.0).reshape(5, 2), np.arange(5.0)
    >>> (x_train, y_train), (x_test, y_test) = shuffle_and_split(x, y, test_split=0.2, seed=113)
    >>> x_train.shape, y_test.shape
    ((4, 2), (1,))
"""
from __future__ import annotations

import numbers
import zipfile

import numpy as np

from lamina.datasets._download import DatasetIntegrityError

__all__ = ["check_test_split", "load_xy", "shuffle_and_split"]


def check_test_split(test_split) -> None:
    """Raises Keras' ValueError unless `0 <= test_split < 1`.

    Args:
        test_split: the fraction of samples kept for testing.

    Raises:
        ValueError: with the value received and the accepted range.

    Example:
        >>> check_test_split(20)
        Traceback (most recent call last):
        ...
        ValueError: Invalid `test_split` argument: 20. It must be between 0 and 1 (exclusive of 1), ...
    """
    if not isinstance(test_split, numbers.Real) or not 0 <= test_split < 1:
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 "
            f"(exclusive of 1), e.g. test_split=0.2 keeps 20% of the samples for testing.")


def load_xy(file) -> tuple[np.ndarray, np.ndarray]:
    """Reads the arrays `x` and `y` of a Keras regression `.npz` file (no pickles allowed).

    Args:
        file: the `.npz` file.

    Returns:
        `(x, y)`.

    Raises:
        DatasetIntegrityError: not a readable `.npz` file, or `x` or `y` missing.
    """
    try:
        # allow_pickle=False: a data file must never be able to run code.
        with np.load(file, allow_pickle=False) as arrays:
            missing = [key for key in ("x", "y") if key not in arrays.files]
            if not missing:
                return arrays["x"], arrays["y"]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        raise DatasetIntegrityError(
            f"{file} is not a readable .npz file ({err}). Replace it with the original file, "
            f"or delete it from the cache and call load_data() again to download it.") from err
    raise DatasetIntegrityError(
        f"{file} lacks the arrays {missing}; expected ['x', 'y']. Replace it with Keras' file.")


def shuffle_and_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int | None):
    """Shuffles with `np.random.RandomState(seed)` and splits at `int(n * (1 - test_split))`.

    Args:
        x: the features, one row per sample.
        y: the targets.
        test_split: the fraction kept for testing.
        seed: seed of the shuffle.

    Returns:
        `(x_train, y_train), (x_test, y_test)`, new arrays.
    """
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    # Copies, as Keras returns: each split owns its memory.
    return (x[:split].copy(), y[:split].copy()), (x[split:].copy(), y[split:].copy())
