"""Flatten and Reshape: shapes and errors."""
import pytest
import torch

from lamina import layers


def test_flatten_and_reshape_shapes():
    assert layers.Flatten()(torch.zeros(2, 28, 28)).shape == (2, 784)
    assert layers.Flatten().compute_output_shape((None, 28, 28)) == (None, 784)
    assert layers.Reshape((28, 28))(torch.zeros(2, 784)).shape == (2, 28, 28)
    assert layers.Reshape((-1, 4)).compute_output_shape((None, 8)) == (None, 2, 4)
    with pytest.raises(ValueError, match="total size must stay the same"):
        layers.Reshape((3, 3))(torch.zeros(2, 8))
