"""Setting a convolution's `activation` after construction, as Keras reads it at call time.

References: the same layer with the new activation given at construction (same weights).
"""
import numpy as np
import pytest

from lamina import activations, layers

CONVS = {
    "Conv1D": (lambda a: layers.Conv1D(3, 2, activation=a), (2, 6, 2)),
    "Conv2D": (lambda a: layers.Conv2D(3, 2, activation=a), (2, 5, 5, 2)),
    "Conv3D": (lambda a: layers.Conv3D(3, 2, activation=a), (2, 4, 4, 4, 2)),
    "Conv1DTranspose": (lambda a: layers.Conv1DTranspose(3, 2, activation=a), (2, 6, 2)),
    "Conv2DTranspose": (lambda a: layers.Conv2DTranspose(3, 2, activation=a), (2, 5, 5, 2)),
    "SeparableConv2D": (lambda a: layers.SeparableConv2D(3, 2, activation=a), (2, 5, 5, 2)),
    "DepthwiseConv2D": (lambda a: layers.DepthwiseConv2D(2, activation=a), (2, 5, 5, 2)),
}


def _twin(make, activation, layer, x):
    twin = make(activation)
    twin(x)
    twin.set_weights(layer.get_weights())
    return twin(x).detach().numpy()


@pytest.mark.parametrize("make, shape", CONVS.values(), ids=CONVS.keys())
def test_conv_activation_reassigned_after_construction(make, shape):
    x = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    layer = make("relu")
    layer(x)
    layer.activation = None
    linear = layer(x).detach().numpy()
    assert (linear < 0).any()
    np.testing.assert_allclose(linear, _twin(make, None, layer, x), atol=1e-6)
    layer.activation = activations.tanh
    np.testing.assert_allclose(layer(x).detach().numpy(), np.tanh(linear), atol=1e-6)
    assert layer.get_config()["activation"] == "tanh"
