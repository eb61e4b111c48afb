"""CategoryEncoding: encodings against a NumPy reference, count weights, harness, slips.

Keras parity (rank-1 and rank-2 inputs, out-of-range ids) is in
test_text_preprocessing_reference.py.
"""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


def _numpy_counts(ids, depth, weights=None):
    weights = np.ones(ids.shape) if weights is None else weights
    out = np.zeros((ids.shape[0], depth))
    for row, (values, row_weights) in enumerate(zip(ids, weights)):
        for value, weight in zip(values, row_weights):
            if 0 <= value < depth:
                out[row, value] += weight
    return out


@pytest.mark.parametrize("output_mode", ["multi_hot", "count"])
def test_matches_numpy(output_mode):
    ids = np.random.default_rng(0).integers(-2, 9, size=(16, 5))
    counts = _numpy_counts(ids, 7)
    expected = (counts > 0).astype(float) if output_mode == "multi_hot" else counts
    output = layers.CategoryEncoding(num_tokens=7, output_mode=output_mode)(ids)
    np.testing.assert_array_equal(output.numpy(), expected)


def test_count_weights_are_summed():
    rng = np.random.default_rng(1)
    ids, weights = rng.integers(0, 4, size=(6, 3)), rng.uniform(size=(6, 3))
    output = layers.CategoryEncoding(num_tokens=4, output_mode="count")(ids, count_weights=weights)
    np.testing.assert_allclose(output.numpy(), _numpy_counts(ids, 4, weights), rtol=1e-6)


def test_dtype_follows_the_layer():
    layer = layers.CategoryEncoding(num_tokens=3, output_mode="one_hot", dtype="float64")
    assert layer(torch.tensor([0, 2])).dtype == torch.float64


@pytest.mark.parametrize("output_mode, shape", [("one_hot", (4, 3, 5)), ("multi_hot", (4, 5)),
                                                ("count", (4, 5))])
def test_layer_harness(output_mode, shape):
    run_layer_test(layers.CategoryEncoding, {"num_tokens": 5, "output_mode": output_mode},
                   input_data=np.random.default_rng(0).integers(0, 5, size=(4, 3)),
                   expected_output_shape=shape)


def test_errors():
    with pytest.raises(ValueError, match="num_tokens must be set"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="`num_tokens` must be >= 1"):
        layers.CategoryEncoding(num_tokens=0)
    with pytest.raises(ValueError, match="Unknown arg for output_mode: tf_idf"):
        layers.CategoryEncoding(num_tokens=3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="does not support `sparse=True`"):
        layers.CategoryEncoding(num_tokens=3, sparse=True)
    with pytest.raises(ValueError, match="`count_weights` is not used"):
        layers.CategoryEncoding(num_tokens=3)(np.array([[0]]), count_weights=np.array([[1.0]]))
