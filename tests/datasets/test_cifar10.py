"""cifar10.load_data on small cifar-10-python.tar.gz archives written in the test.

Pixel (image n, channel c, row r, column k) of every fixture is (7n + 50c + 3r + k) % 256,
stored channel-major as in the published batches; the expected channels-last arrays are
built from the same formula over (n, r, k, c), independently of any reshape.
"""
import os
import pickle

import numpy as np
import pytest

import lamina as keras
from lamina.datasets import DatasetIntegrityError

cifar10 = keras.datasets.cifar10
FOLDER = "cifar-10-batches-py"


def pixel(n, c, r, k):
    return (7 * n + 50 * c + 3 * r + k) % 256


def stored_rows(first, count):
    """Rows as stored in a batch: channel-major, (count, 3072)."""
    planes = np.fromfunction(lambda n, c, r, k: pixel(n + first, c, r, k), (count, 3, 32, 32))
    return planes.astype(np.uint8).reshape(count, 3072)


def channels_last(first, count):
    return np.fromfunction(lambda n, r, k, c: pixel(n + first, c, r, k),
                           (count, 32, 32, 3)).astype(np.uint8)


def write_archive(dataset_files, python2=True, skip=(), replace=None):
    """Five training batches of 2 and a test batch of 3, out of order, with extra members."""
    members = {f"{FOLDER}/test_batch": dataset_files.cifar_batch(
        stored_rows(100, 3), python2=python2, labels=[7, 8, 9])}
    members[f"{FOLDER}/batches.meta"] = pickle.dumps({b"label_names": []}, protocol=2)
    for i in (3, 1, 5, 2, 4):
        members[f"{FOLDER}/data_batch_{i}"] = dataset_files.cifar_batch(
            stored_rows(2 * (i - 1), 2), python2=python2, labels=[i - 1, 10 - i])
    members[f"{FOLDER}/readme.html"] = b"<html></html>"
    members.update(replace or {})
    for name in skip:
        del members[name]
    return dataset_files.tar_gz("cifar10", "cifar-10-python.tar.gz", members)


@pytest.mark.parametrize("python2", [True, False], ids=["python2-pickles", "python3-pickles"])
def test_channels_last_pixels_in_batch_order(dataset_files, python2):
    write_archive(dataset_files, python2=python2)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    np.testing.assert_array_equal(x_train, channels_last(0, 10))
    np.testing.assert_array_equal(x_test, channels_last(100, 3))
    # Batch i holds labels [i - 1, 10 - i]: batches 1..5 in order, whatever the tar order.
    assert y_train.ravel().tolist() == [0, 9, 1, 8, 2, 7, 3, 6, 4, 5]
    assert y_test.tolist() == [[7], [8], [9]]


def test_dtypes_shapes_and_fresh_arrays(dataset_files):
    write_archive(dataset_files)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (10, 32, 32, 3), (10, 1), (3, 32, 32, 3), (3, 1))
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8 and array.flags.c_contiguous and array.flags.writeable
    (x_again, _), _ = cifar10.load_data()
    assert not np.shares_memory(x_again, x_train)


def test_class_names_follow_keras_table():
    assert cifar10.class_names == ("airplane", "automobile", "bird", "cat", "deer", "dog",
                                   "frog", "horse", "ship", "truck")


def test_missing_batch_is_named(dataset_files):
    path = write_archive(dataset_files, skip=[f"{FOLDER}/data_batch_4"])
    with pytest.raises(DatasetIntegrityError,
                       match=r"lacks the batches \['cifar-10-batches-py/data_batch_4'\]") as info:
        cifar10.load_data()
    assert str(path) in str(info.value)


def test_truncated_archive_is_named(dataset_files):
    path = write_archive(dataset_files)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(DatasetIntegrityError, match="is not a readable CIFAR archive"):
        cifar10.load_data()


class RunsCommand:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_a_batch_that_would_run_code_is_refused(dataset_files, tmp_path):
    marker = tmp_path / "attack_ran"
    evil = pickle.dumps({b"data": RunsCommand(f"touch {marker}"), b"labels": []})
    write_archive(dataset_files, replace={f"{FOLDER}/data_batch_2": evil})
    with pytest.raises(DatasetIntegrityError, match=r"Refusing to load (posix|os)\.system"):
        cifar10.load_data()
    assert not marker.exists()


@pytest.mark.parametrize("batch, message", [
    ({b"data": np.zeros((2, 1024), np.uint8), b"labels": [0, 1]},
     r"'data' must be a uint8 array of shape \(n, 3072\), received uint8 \(2, 1024\)"),
    ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]},
     "'labels' must hold 2 integer labels, one per image, received int64 \\(1,\\)"),
    ([1, 2], "holds a list, not a CIFAR batch"),
])
def test_malformed_batch_is_described(dataset_files, batch, message):
    write_archive(dataset_files, replace={f"{FOLDER}/test_batch": pickle.dumps(batch)})
    with pytest.raises(DatasetIntegrityError, match=message) as info:
        cifar10.load_data()
    assert "member cifar-10-batches-py/test_batch" in str(info.value)


def write_separable_archive(dataset_files, seed):
    """20 images per batch; class k is brighter in channel k (k < 3): linearly separable."""
    rng = np.random.default_rng(seed)
    members = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.integers(0, 3, 20)
        images = rng.integers(0, 96, (20, 3, 32, 32))
        images[np.arange(20), labels] += 150
        members[f"{FOLDER}/{name}"] = dataset_files.cifar_batch(
            images.astype(np.uint8).reshape(20, 3072), labels=labels)
    dataset_files.tar_gz("cifar10", "cifar-10-python.tar.gz", members)


def fit_and_evaluate(model, learning_rate):
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train / 255.0, y_train, epochs=10, batch_size=20, verbose=0)
    return model.evaluate(x_test / 255.0, y_test, verbose=0)[1]


def test_a_cifar_shaped_classifier_trains_from_load_data(dataset_files):
    write_separable_archive(dataset_files, seed=0)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    assert fit_and_evaluate(model, 1e-3) >= 0.9


@pytest.mark.skipif(not all(hasattr(keras.layers, name) for name in ("Conv2D", "MaxPooling2D")),
                    reason="needs keras.layers.Conv2D and MaxPooling2D")
def test_a_cnn_trains_from_load_data(dataset_files):
    write_separable_archive(dataset_files, seed=1)
    model = keras.Sequential([
        keras.Input((32, 32, 3)), keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(4), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax")])
    assert fit_and_evaluate(model, 1e-2) >= 0.9
