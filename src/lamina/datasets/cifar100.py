"""CIFAR-100: 60 000 colour 32x32 images of 100 classes in 20 superclasses (Krizhevsky, 2009).

Read from `$LAMINA_DATASETS/cifar100/cifar-100-python.tar.gz`, else the cache, else
downloaded once from the CIFAR homepage and checked against Keras' published SHA-256.

Example:
    >>> import lamina as keras
    >>> keras.datasets.cifar100.load_data(label_mode="superclass")
    Traceback (most recent call last):
    ...
    ValueError: `label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode='superclass'.
"""
from __future__ import annotations

import numpy as np

from lamina.datasets._cifar import load_batches, to_channels_last
from lamina.datasets._dataset_file import dataset_file

__all__ = ["load_data"]

_NAME = "cifar100"
_FILE = "cifar-100-python.tar.gz"
_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
# Keras' published SHA-256 of the archive (keras/src/datasets/cifar100.py).
_FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
_FOLDER = "cifar-100-python"


def load_data(label_mode: str = "fine"
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads CIFAR-100 as Keras does: `(x_train, y_train), (x_test, y_test)`.

    Args:
        label_mode: "fine" for the 100 classes (0-99), "coarse" for the 20 superclasses
            (0-19).

    Returns:
        `x_train` uint8 (50000, 32, 32, 3), `y_train` int64 (50000, 1), `x_test` uint8
        (10000, 32, 32, 3), `y_test` int64 (10000, 1). (Keras gives CIFAR-100's labels
        as int64 and CIFAR-10's as uint8; lamina keeps both as Keras has them.)

    Raises:
        ValueError: `label_mode` is neither "fine" nor "coarse".
        DatasetNotFoundError: the archive is not here and cannot be downloaded (an
            `OSError`); the message says where to put it.
        DatasetIntegrityError: the archive is damaged (a `ValueError`).

    Example:
        A tiny archive in the offline layout:

        >>> import io, os, pickle, tarfile, tempfile
        >>> root = tempfile.mkdtemp()
        >>> os.mkdir(f"{root}/cifar100")
        >>> with tarfile.open(f"{root}/cifar100/cifar-100-python.tar.gz", "w:gz") as tar:
        ...     for name in ("train", "test"):
        ...         batch = pickle.dumps({b"data": np.zeros((2, 3072), np.uint8),
        ...                               b"fine_labels": [51, 7], b"coarse_labels": [17, 3]})
        ...         member = tarfile.TarInfo(f"cifar-100-python/{name}")
        ...         member.size = len(batch)
        ...         tar.addfile(member, io.BytesIO(batch))
        >>> saved, os.environ["LAMINA_DATASETS"] = os.environ.get("LAMINA_DATASETS", ""), root
        >>> (x_train, y_train), _ = load_data(label_mode="coarse")
        >>> os.environ["LAMINA_DATASETS"] = saved
        >>> x_train.shape, y_train.tolist()
        ((2, 32, 32, 3), [[17], [3]])
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode!r}.")
    archive = dataset_file(_NAME, _FILE, title="CIFAR-100", url=_URL, file_hash=_FILE_HASH)
    (x_train, y_train), (x_test, y_test) = load_batches(
        archive, [f"{_FOLDER}/train", f"{_FOLDER}/test"], label_key=f"{label_mode}_labels")
    return ((to_channels_last(x_train), y_train.reshape(-1, 1)),
            (to_channels_last(x_test), y_test.reshape(-1, 1)))
