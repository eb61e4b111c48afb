"""CIFAR-10: 60 000 colour 32x32 images of 10 classes (Krizhevsky, 2009).

Read from `$LAMINA_DATASETS/cifar10/cifar-10-python.tar.gz`, else the cache, else
downloaded once from the CIFAR homepage and checked against Keras' published SHA-256.

Example:
    >>> import lamina as keras
    >>> keras.datasets.cifar10.class_names[:3]
    ('airplane', 'automobile', 'bird')
"""
from __future__ import annotations

import numpy as np

from lamina.datasets._cifar import load_batches, to_channels_last
from lamina.datasets._dataset_file import dataset_file

__all__ = ["CLASS_NAMES", "class_names", "load_data"]

#: The label names, indexed by label (not Keras API: the table of Keras' docstring).
class_names = ("airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck")
#: The same tuple under the constant-style name lamina's teaching aids use.
CLASS_NAMES = class_names

_NAME = "cifar10"
_FILE = "cifar-10-python.tar.gz"
_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
# Keras' published SHA-256 of the archive (keras/src/datasets/cifar10.py).
_FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_FOLDER = "cifar-10-batches-py"
_TRAIN_BATCHES = [f"{_FOLDER}/data_batch_{i}" for i in range(1, 6)]
_TEST_BATCH = f"{_FOLDER}/test_batch"


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Loads CIFAR-10 as Keras does: `(x_train, y_train), (x_test, y_test)`.

    The training split is `data_batch_1` to `data_batch_5` in that order, the test split
    `test_batch`; images are channels-last.

    Returns:
        `x_train` uint8 (50000, 32, 32, 3), `y_train` uint8 (50000, 1), `x_test` uint8
        (10000, 32, 32, 3), `y_test` uint8 (10000, 1); labels 0-9 index `class_names`.

    Raises:
        DatasetNotFoundError: the archive is not here and cannot be downloaded (an
            `OSError`); the message says where to put it.
        DatasetIntegrityError: the archive is damaged (a `ValueError`).

    Example:
        A tiny archive in the offline layout, two images per batch:

        >>> import io, os, pickle, tarfile, tempfile
        >>> root = tempfile.mkdtemp()
        >>> os.mkdir(f"{root}/cifar10")
        >>> with tarfile.open(f"{root}/cifar10/cifar-10-python.tar.gz", "w:gz") as tar:
        ...     for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        ...         batch = pickle.dumps({b"data": np.zeros((2, 3072), np.uint8),
        ...                               b"labels": [3, 8]})
        ...         member = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
        ...         member.size = len(batch)
        ...         tar.addfile(member, io.BytesIO(batch))
        >>> saved, os.environ["LAMINA_DATASETS"] = os.environ.get("LAMINA_DATASETS", ""), root
        >>> (x_train, y_train), (x_test, y_test) = load_data()
        >>> os.environ["LAMINA_DATASETS"] = saved
        >>> x_train.shape, y_train.shape, class_names[y_test[1, 0]]
        ((10, 32, 32, 3), (10, 1), 'ship')
    """
    archive = dataset_file(_NAME, _FILE, title="CIFAR-10", url=_URL, file_hash=_FILE_HASH)
    batches = load_batches(archive, _TRAIN_BATCHES + [_TEST_BATCH], label_key="labels")
    x_train = np.concatenate([to_channels_last(data) for data, _ in batches[:-1]])
    y_train = np.concatenate([labels for _, labels in batches[:-1]]).astype(np.uint8)
    x_test, y_test = to_channels_last(batches[-1][0]), batches[-1][1].astype(np.uint8)
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))
