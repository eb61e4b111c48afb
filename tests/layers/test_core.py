"""Dense, Dropout, Flatten, Activation, Reshape, merges: numbers against float64 NumPy."""
import numpy as np
import pytest
import torch

from lamina import layers


def test_dense_matches_numpy_and_keras_layout():
    layer = layers.Dense(5, activation="tanh", input_shape=(3,))
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
    layer = layers.Dense(100, input_shape=(784,))
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
    layer = layers.Dense(10, input_shape=(784,), name="hidden")
    with pytest.raises(ValueError, match=r"Layer 'hidden' expects inputs with last dimension 784, "
                                         r"but received shape \(32, 100\)"):
        layer(torch.ones(32, 100))
    with pytest.raises(ValueError, match="Flatten"):
        layer(torch.ones(2, 28, 28))


def test_dropout_scales_kept_units_in_training_only():
    layer = layers.Dropout(0.25)
    x = torch.ones(20_000)
    out = layer(x, training=True)
    kept = out[out != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, 1 / 0.75))
    assert abs((out == 0).float().mean().item() - 0.25) < 0.02
    torch.testing.assert_close(layer(x), x)


def test_dropout_noise_shape_shares_the_mask():
    out = layers.Dropout(0.5, noise_shape=(None, 1, 4))(torch.ones(8, 6, 4), training=True)
    assert (out == out[:, :1, :]).all()


@pytest.mark.parametrize("rate", [1.5, -0.1, "half"])
def test_dropout_rejects_bad_rate(rate):
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
        layers.Dropout(rate)


def test_flatten_and_reshape_shapes():
    assert layers.Flatten()(torch.zeros(2, 28, 28)).shape == (2, 784)
    assert layers.Flatten().compute_output_shape((None, 28, 28)) == (None, 784)
    assert layers.Reshape((28, 28))(torch.zeros(2, 784)).shape == (2, 28, 28)
    assert layers.Reshape((-1, 4)).compute_output_shape((None, 8)) == (None, 2, 4)
    with pytest.raises(ValueError, match="total size must stay the same"):
        layers.Reshape((3, 3))(torch.zeros(2, 8))


def test_activation_layer_and_merges():
    x = torch.tensor([[-1.0, 2.0]])
    torch.testing.assert_close(layers.Activation("relu")(x), torch.tensor([[0.0, 2.0]]))
    torch.testing.assert_close(layers.add([x, x]), 2 * x)
    torch.testing.assert_close(layers.average([x, 3 * x]), 2 * x)
    torch.testing.assert_close(layers.subtract([x, x]), torch.zeros_like(x))
    assert layers.concatenate([x, x, x]).shape == (1, 6)
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.Add()(x)
