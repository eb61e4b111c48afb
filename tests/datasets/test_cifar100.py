"""cifar100.load_data(label_mode) on small cifar-100-python.tar.gz archives."""
import numpy as np
import pytest

import lamina as keras
from lamina.datasets import DatasetIntegrityError

cifar100 = keras.datasets.cifar100
FINE = {"train": [51, 7, 99, 0], "test": [23, 64]}
COARSE = {"train": [17, 3, 19, 4], "test": [10, 12]}


def images(first, count):
    """Pixel (n, c, r, k) = (5n + 80c + r + 2k) % 256, stored channel-major."""
    planes = np.fromfunction(lambda n, c, r, k: (5 * (n + first) + 80 * c + r + 2 * k) % 256,
                             (count, 3, 32, 32))
    return planes.astype(np.uint8).reshape(count, 3072)


@pytest.fixture
def archive(dataset_files):
    members = {"cifar-100-python/meta": b"\x80\x02}q\x00.",
               "cifar-100-python/test": dataset_files.cifar_batch(
                   images(10, 2), fine_labels=FINE["test"], coarse_labels=COARSE["test"]),
               "cifar-100-python/train": dataset_files.cifar_batch(
                   images(0, 4), fine_labels=FINE["train"], coarse_labels=COARSE["train"])}
    return dataset_files.tar_gz("cifar100", "cifar-100-python.tar.gz", members)


@pytest.mark.parametrize("label_mode, labels", [("fine", FINE), ("coarse", COARSE)])
def test_label_modes_and_channels_last_images(archive, label_mode, labels):
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=label_mode)
    expected = np.fromfunction(lambda n, r, k, c: (5 * n + 80 * c + r + 2 * k) % 256,
                               (4, 32, 32, 3)).astype(np.uint8)
    np.testing.assert_array_equal(x_train, expected)
    assert x_test[1, 31, 0, 2] == (5 * 11 + 80 * 2 + 31) % 256
    assert y_train.tolist() == [[v] for v in labels["train"]]
    assert y_test.tolist() == [[v] for v in labels["test"]]


def test_dtypes_and_shapes_are_keras(archive):
    (x_train, y_train), (x_test, y_test) = cifar100.load_data()
    assert (x_train.dtype, x_test.dtype) == (np.uint8, np.uint8)
    # Keras builds CIFAR-100's labels from Python lists, so they are int64, not uint8.
    assert (y_train.dtype, y_test.dtype) == (np.int64, np.int64)
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (4, 32, 32, 3), (4, 1), (2, 32, 32, 3), (2, 1))
    assert x_train.flags.c_contiguous


@pytest.mark.parametrize("label_mode", ["superclass", "Fine", None])
def test_unknown_label_mode_is_refused_before_any_lookup(dataset_files, label_mode):
    with pytest.raises(ValueError, match='`label_mode` must be one of `"fine"`, `"coarse"`. '
                                         f"Received: label_mode={label_mode!r}."):
        cifar100.load_data(label_mode=label_mode)


def test_a_cifar10_archive_is_not_taken_for_cifar100(dataset_files):
    path = dataset_files.tar_gz("cifar100", "cifar-100-python.tar.gz", {
        "cifar-10-batches-py/test_batch": dataset_files.cifar_batch(images(0, 1), labels=[1])})
    with pytest.raises(DatasetIntegrityError, match="lacks the batches .*cifar-100-python/train"
                                                    ".*cifar-100-python.tar.gz for CIFAR-100"):
        cifar100.load_data()
    assert path.is_file()
