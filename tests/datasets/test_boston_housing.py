"""boston_housing.load_data on small boston_housing.npz files written in the test."""
import numpy as np
import pytest

import lamina as keras
from lamina.datasets import DatasetIntegrityError

boston_housing = keras.datasets.boston_housing


def write(dataset_files, rows, dtype=np.float64):
    x = np.arange(rows * 13, dtype=dtype).reshape(rows, 13)
    np.savez(dataset_files.path("boston_housing", "boston_housing.npz"), x=x,
             y=np.arange(rows, dtype=dtype) * 1.5)
    return x


def test_default_split_of_506_samples_is_404_and_102(dataset_files):
    x = write(dataset_files, 506)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (404, 13), (404,), (102, 13), (102,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.float64)}
    rows = np.concatenate([x_train, x_test])[:, 0] / 13
    assert sorted(rows.tolist()) == list(range(506)), "a permutation of all samples"
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), rows * 1.5)
    assert not np.array_equal(rows, np.arange(506)), "shuffled"


@pytest.mark.parametrize("kwargs, train_rows, test_rows", [
    # np.random.RandomState(113) orders 5 samples [1, 0, 3, 2, 4]; int(5 * 0.8) = 4.
    ({}, [1, 0, 3, 2], [4]),
    # RandomState(0): [2, 0, 1, 3, 4]; int(5 * 0.6) = 3.
    ({"test_split": 0.4, "seed": 0}, [2, 0, 1], [3, 4]),
    ({"test_split": 0.0}, [1, 0, 3, 2, 4], []),
])
def test_hand_computed_splits(dataset_files, kwargs, train_rows, test_rows):
    x = write(dataset_files, 5)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(**kwargs)
    np.testing.assert_array_equal(x_train, x[train_rows].reshape(-1, 13))
    np.testing.assert_array_equal(x_test, x[test_rows].reshape(-1, 13))
    assert y_train.tolist() == [1.5 * r for r in train_rows]
    assert y_test.tolist() == [1.5 * r for r in test_rows]


def test_the_file_dtype_is_kept(dataset_files):
    write(dataset_files, 5, dtype=np.float32)
    (x_train, y_train), _ = boston_housing.load_data()
    assert x_train.dtype == np.float32 and y_train.dtype == np.float32


@pytest.mark.parametrize("test_split", [1, 1.2, -0.1, "0.2"])
def test_test_split_outside_zero_one_is_refused(dataset_files, test_split):
    with pytest.raises(ValueError, match=rf"Invalid `test_split` argument: {test_split}. It must "
                                         r"be between 0 and 1 \(exclusive of 1\)"):
        boston_housing.load_data(test_split=test_split)


def test_pickled_or_incomplete_files_are_refused(dataset_files):
    path = dataset_files.path("boston_housing", "boston_housing.npz")
    np.savez(path, x=np.array([[1.0], "text"], dtype=object), y=np.zeros(2))
    with pytest.raises(DatasetIntegrityError, match="is not a readable .npz file"):
        boston_housing.load_data()
    np.savez(path, x=np.zeros((3, 13)))
    with pytest.raises(DatasetIntegrityError, match=r"lacks the arrays \['y'\]"):
        boston_housing.load_data()


def test_a_regression_with_mae_trains_from_load_data(dataset_files):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, (506, 13))
    y = x @ rng.uniform(-1, 1, 13) + 22.0
    np.savez(dataset_files.path("boston_housing", "boston_housing.npz"), x=x, y=y)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    model = keras.Sequential([keras.Input((13,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    history = model.fit((x_train - mean) / std, y_train, epochs=25, batch_size=32, verbose=0)
    _, test_mae = model.evaluate((x_test - mean) / std, y_test, verbose=0)
    assert history.history["mae"][-1] < history.history["mae"][0] / 5
    assert test_mae < 1.0, f"test MAE {test_mae:.3f} k$ (targets have std {y.std():.1f})"
