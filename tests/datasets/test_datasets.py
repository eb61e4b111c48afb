"""mnist / fashion_mnist load_data() on the real data: $LAMINA_DATASETS, the cache or a download."""
import numpy as np
import pytest

import lamina as keras

CASES = {
    "mnist": ([5, 0, 4, 1, 9, 2, 1, 3, 1, 4], 0.1307),
    "fashion_mnist": ([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], 0.2860),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def loaded(request, real_data):
    """Loads each dataset once for the module; the loaded arrays are only read."""
    cache = {}

    def load():
        if not cache:
            cache["data"] = real_data(request.param)
        return request.param, getattr(keras.datasets, request.param), cache["data"]

    return load


def test_shapes_and_dtypes(loaded):
    _, _, ((x_train, y_train), (x_test, y_test)) = loaded()
    assert (x_train.shape, y_train.shape) == ((60000, 28, 28), (60000,))
    assert (x_test.shape, y_test.shape) == ((10000, 28, 28), (10000,))
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8


def test_labels_and_pixels_match_published_data(loaded):
    name, _, ((x_train, y_train), (_, y_test)) = loaded()
    first_labels, mean_pixel = CASES[name]
    assert y_train[:10].tolist() == first_labels
    assert abs(x_train.mean(dtype=np.float64) / 255 - mean_pixel) < 1e-4
    assert np.bincount(y_train, minlength=10).size == 10 and y_train.max() == 9
    assert set(np.unique(y_test).tolist()) == set(range(10))


def test_each_call_returns_new_writable_arrays(loaded):
    _, module, ((x_train, _), _) = loaded()
    (x_again, y_again), _ = module.load_data()
    assert x_again.flags.writeable and y_again.flags.writeable
    assert not np.shares_memory(x_again, x_train)
    x_again[0, 0, 0] = 255 - x_train[0, 0, 0]
    assert x_train[0, 0, 0] != x_again[0, 0, 0]


def test_namespace_matches_keras():
    assert callable(keras.datasets.mnist.load_data)
    assert callable(keras.datasets.fashion_mnist.load_data)
    assert keras.datasets.fashion_mnist.class_names[9] == "Ankle boot"
    assert len(keras.datasets.fashion_mnist.class_names) == 10
