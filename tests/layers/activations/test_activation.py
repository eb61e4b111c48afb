"""Activation layer and the lowercase merge functions."""
import pytest
import torch

from lamina import layers


def test_activation_layer_and_merges():
    x = torch.tensor([[-1.0, 2.0]])
    torch.testing.assert_close(layers.Activation("relu")(x), torch.tensor([[0.0, 2.0]]))
    torch.testing.assert_close(layers.add([x, x]), 2 * x)
    torch.testing.assert_close(layers.average([x, 3 * x]), 2 * x)
    torch.testing.assert_close(layers.subtract([x, x]), torch.zeros_like(x))
    assert layers.concatenate([x, x, x]).shape == (1, 6)
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.Add()(x)
