"""Dense: numbers against float64 NumPy, Keras' weight layout, errors."""
import numpy as np
import pytest
import torch

from lamina import layers


def test_dense_matches_numpy_and_keras_layout():
    layer = layers.Dense(5, activation="tanh")
    layer.build((None, 3))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 5) and bias.shape == (5,)
    bias = np.linspace(-1, 1, 5)
    layer.set_weights([kernel, bias])
    x = np.random.default_rng(0).normal(size=(4, 3))
    expected = np.tanh(x @ kernel.astype(np.float64) + bias)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, atol=1e-6)


def test_dense_applies_to_the_last_axis_of_nd_inputs():
    layer = layers.Dense(2)
    assert layer(torch.ones(4, 7, 3)).shape == (4, 7, 2)
    assert layer.kernel.shape == (3, 2)


def test_dense_param_count_and_default_initializers():
    layer = layers.Dense(100)
    layer.build((None, 784))
    assert layer.count_params() == 78_500
    kernel, bias = layer.get_weights()
    limit = np.sqrt(6 / (784 + 100))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    assert not bias.any()


@pytest.mark.parametrize("units", [0, -3, 2.5, "10"])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="expected a positive integer"):
        layers.Dense(units)


def test_dense_wrong_input_width_is_explained():
    layer = layers.Dense(10, name="hidden")
    layer.build((None, 784))
    with pytest.raises(ValueError, match=r"Layer 'hidden' expects inputs with last dimension 784, "
                                         r"but received shape \(32, 100\)"):
        layer(torch.ones(32, 100))
    with pytest.raises(ValueError, match="Flatten"):
        layer(torch.ones(2, 28, 28))
