"""to_categorical and normalize against float64 NumPy references and Keras' examples."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina.utils import normalize, to_categorical


def test_keras_docstring_example():
    np.testing.assert_array_equal(to_categorical([0, 1, 2, 3], num_classes=4), np.eye(4))


@pytest.mark.parametrize("shape", [(7,), (7, 1), (3, 4), (2, 3, 1)])
@pytest.mark.parametrize("num_classes", [None, 6])
def test_matches_eye_reference(shape, num_classes):
    labels = np.random.default_rng(0).integers(0, 5, shape)
    result = to_categorical(labels, num_classes)
    squeezed = labels.reshape(shape[:-1]) if len(shape) > 1 and shape[-1] == 1 else labels
    depth = num_classes or int(labels.max()) + 1
    assert result.dtype == np.float64
    assert result.shape == squeezed.shape + (depth,)
    np.testing.assert_array_equal(result, np.eye(depth)[squeezed])


def test_integral_floats_and_lists_are_accepted():
    np.testing.assert_array_equal(to_categorical([[2.0], [0.0]]), [[0, 0, 1], [1, 0, 0]])


def test_tensor_input_gives_float32_tensor():
    result = to_categorical(torch.tensor([[1], [2]]), num_classes=4)
    assert isinstance(result, torch.Tensor) and result.dtype == torch.float32
    torch.testing.assert_close(result, torch.eye(4)[[1, 2]])


@pytest.mark.parametrize("labels, num_classes, fragment", [
    ([0, 3], 3, "label 3, which is not below num_classes=3"),
    ([-1, 2], None, "negative label -1"),
    ([-1, 2], 3, "from 0 to num_classes - 1"),
    ([0.2, 0.8], None, "argmax"),
    ([0, 1], 0, "`num_classes` must be a positive integer"),
    ([], None, "pass `num_classes`"),
    (["a"], None, "integer class labels"),
])
def test_bad_labels_raise_value_error(labels, num_classes, fragment):
    with pytest.raises(ValueError, match=fragment):
        to_categorical(labels, num_classes)


def test_empty_labels_with_num_classes():
    assert to_categorical(np.zeros((0,), dtype=int), num_classes=3).shape == (0, 3)


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("order", [1, 2, np.inf])
def test_normalize_matches_reference(axis, order):
    x = np.random.default_rng(1).normal(size=(4, 5))
    x[1] = 0.0  # an all-zero row must stay zero, not become NaN
    if order == np.inf:
        norm = np.max(np.abs(x), axis=axis, keepdims=True)
    else:
        norm = np.sum(np.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    expected = x / np.where(norm == 0, 1.0, norm)
    np.testing.assert_allclose(normalize(x, axis=axis, order=order), expected, rtol=1e-12)


def test_normalize_integer_input_gives_float64():
    result = normalize(np.array([[3, 4]]))
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, [[0.6, 0.8]], rtol=1e-12)


def test_normalize_tensor():
    x = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    torch.testing.assert_close(normalize(x), torch.tensor([[0.6, 0.8], [0.0, 0.0]]))


def test_normalize_rejects_bad_axis():
    with pytest.raises(ValueError, match="out of range"):
        normalize(np.ones((2, 3)), axis=2)


def test_exported_from_keras_namespace():
    assert keras.utils.to_categorical is to_categorical
    assert keras.utils.normalize is normalize
    assert set(keras.utils.__all__) >= {"to_categorical", "normalize", "pad_sequences",
                                       "set_random_seed"}
