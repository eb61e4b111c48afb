"""Fashion-MNIST: 70 000 grayscale 28x28 images of 10 kinds of clothing (Zalando, MIT licence).

Example:
    >>> import lamina as keras
    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    >>> x_train.shape, keras.datasets.fashion_mnist.class_names[y_train[0]]
    ((60000, 28, 28), 'Ankle boot')
"""
from __future__ import annotations

import numpy as np

from lamina.datasets._download import (
    IDX_FILES,
    datasets_home,
    fetch,
    local_idx_folder,
    missing_dataset_error,
    read_idx_dataset,
)

__all__ = ["CLASS_NAMES", "class_names", "load_data"]

#: The label names, indexed by label (not Keras API: the name list every tutorial types in).
class_names = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
#: The same tuple under the constant-style name lamina's teaching aids use.
CLASS_NAMES = class_names

_NAME = "fashion_mnist"
_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Keras' published SHA-256 of each download (keras/src/datasets/fashion_mnist.py).
_FILE_HASHES = {
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads Fashion-MNIST as Keras does: `(x_train, y_train), (x_test, y_test)`.

    The files are read from `$LAMINA_DATASETS/fashion_mnist/`, else from the cache
    folder `$LAMINA_HOME/datasets/fashion_mnist/` (default `~/.lamina/datasets`), else
    downloaded there once and checked against their published SHA-256.

    Returns:
        `x_train` uint8 (60000, 28, 28), `y_train` uint8 (60000,), `x_test` uint8
        (10000, 28, 28), `y_test` uint8 (10000,); labels 0-9 index `class_names`.
        The arrays are new on each call, so they may be modified in place.

    Raises:
        DatasetNotFoundError: the files are not here and cannot be downloaded (an
            `OSError`); the message says where to put them.
        DatasetIntegrityError: a file is damaged (a `ValueError`).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()
        >>> x_train.dtype, y_test.shape
        (dtype('uint8'), (10000,))
    """
    folder = local_idx_folder(_NAME)
    if folder is not None:
        return read_idx_dataset(folder)
    urls = [_BASE_URL + fname for fname in IDX_FILES]
    try:
        paths = {fname: fetch(url, _FILE_HASHES[fname], datasets_home() / _NAME / fname)
                 for fname, url in zip(IDX_FILES, urls)}
    except OSError as err:
        raise missing_dataset_error("Fashion-MNIST", _NAME, urls, err) from err
    return read_idx_dataset(paths)
