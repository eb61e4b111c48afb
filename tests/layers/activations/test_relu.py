"""ReLU, LeakyReLU and ELU layers: float64 references, masking, argument errors."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs", [
    (layers.ReLU, {}), (layers.ReLU, {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}),
    (layers.LeakyReLU, {}), (layers.ELU, {"alpha": 0.5}),
])
def test_run_layer_test(cls, kwargs):
    run_layer_test(cls, kwargs, input_shape=(3, 4), expected_output_shape=(3, 4),
                   expected_num_trainable_weights=0, supports_masking=True)


def test_relu_piecewise_definition():
    x = np.linspace(-3, 5, 81)
    out = layers.ReLU(max_value=3.0, negative_slope=0.25, threshold=1.0)(x).numpy()
    # As in Keras, x equal to the threshold counts as below it (Keras 3.15 gives 0 at x = 1).
    expected = np.where(x >= 3.0, 3.0, np.where(x > 1.0, x, 0.25 * (x - 1.0)))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


def test_leaky_relu_default_slope_is_keras_0_3():
    torch.testing.assert_close(layers.LeakyReLU()(torch.tensor([-2.0, 3.0])), torch.tensor([-0.6, 3.0]))


def test_leaky_relu_accepts_tf2_alpha():
    with pytest.warns(UserWarning, match="Argument `alpha` is deprecated. Use `negative_slope`"):
        layer = layers.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2
    assert layer.get_config()["negative_slope"] == 0.2


def test_elu_matches_float64_numpy():
    x = np.linspace(-4, 2, 25)
    out = layers.ELU(alpha=0.7)(x).numpy()
    np.testing.assert_allclose(out, np.where(x > 0, x, 0.7 * (np.exp(x) - 1)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kwargs, message", [
    ({"max_value": -1.0}, "max_value of a ReLU layer cannot be a negative value. Received: "
                          "max_value=-1.0"),
    ({"negative_slope": -0.1}, "negative_slope of a ReLU layer cannot be None or a negative value"),
    ({"threshold": None}, "threshold of a ReLU layer cannot be None or a negative value"),
])
def test_relu_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.ReLU(**kwargs)


def test_leaky_relu_bad_slope():
    with pytest.raises(ValueError, match="cannot be None or negative value. Expected a float"):
        layers.LeakyReLU(-0.2)


def test_mask_passes_through():
    x = torch.randn(2, 3, 4)
    x._keras_mask = torch.tensor([[True, False, True], [True, True, False]])
    assert torch.equal(layers.ReLU()(x)._keras_mask, x._keras_mask)
