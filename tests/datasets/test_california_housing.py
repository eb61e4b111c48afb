"""california_housing.load_data(version) on small california_housing.npz files."""
import numpy as np
import pytest

import lamina as keras

california_housing = keras.datasets.california_housing


def write(dataset_files, rows):
    x = np.arange(rows * 8, dtype=np.float32).reshape(rows, 8)
    np.savez(dataset_files.path("california_housing", "california_housing.npz"), x=x,
             y=np.arange(rows, dtype=np.float32))
    return x


def test_large_version_splits_20640_samples(dataset_files):
    write(dataset_files, 20640)
    (x_train, y_train), (x_test, y_test) = california_housing.load_data()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (16512, 8), (16512,), (4128, 8), (4128,))
    assert x_train.dtype == np.float32
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20640))


def test_small_version_keeps_the_first_600_samples(dataset_files):
    write(dataset_files, 700)
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(version="small")
    assert (len(x_train), len(x_test)) == (480, 120)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(600))
    np.testing.assert_array_equal(x_train[:, 0], y_train * 8)


def test_hand_computed_split(dataset_files):
    x = write(dataset_files, 5)
    # np.random.RandomState(0) orders 5 samples [2, 0, 1, 3, 4]; int(5 * 0.6) = 3.
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(test_split=0.4, seed=0)
    np.testing.assert_array_equal(x_train, x[[2, 0, 1]])
    assert y_test.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("version", ["medium", "Large", None])
def test_unknown_version_is_refused_before_any_lookup(dataset_files, version):
    with pytest.raises(ValueError, match="Argument `version` must be one of 'small', 'large'. "
                                         f"Received: version={version!r}"):
        california_housing.load_data(version=version)


def test_test_split_is_checked(dataset_files):
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1.0"):
        california_housing.load_data(test_split=1.0)
