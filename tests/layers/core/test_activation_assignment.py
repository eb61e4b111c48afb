"""Setting `layer.activation` after construction (keras.io's Grad-CAM sets it to None).

Keras reads the activation at call time and treats None as linear; numbers are checked
against a float64 NumPy reference.
"""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import activations, layers
from lamina.layers.attention.projection import HeadProjection

X = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)


def _dense_reference(layer, x):
    kernel, bias = (w.astype(np.float64) for w in layer.get_weights())
    return x.astype(np.float64) @ kernel.reshape(kernel.shape[0], -1) + bias.reshape(-1)


LAYERS = {
    "Dense": lambda activation: layers.Dense(5, activation=activation),
    "EinsumDense": lambda activation: layers.EinsumDense("ab,bc->ac", 5, bias_axes="c",
                                                         activation=activation),
    "HeadProjection": lambda activation: HeadProjection(1, (5,), activation=activation),
}


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
def test_activation_set_to_none_makes_the_layer_linear(make):
    layer = make("relu")
    layer(X)
    layer.activation = None
    assert layer.activation is None  # as Keras stores it
    expected = _dense_reference(layer, X)
    assert (expected < 0).any()  # relu would have changed these
    np.testing.assert_allclose(layer(X).detach().numpy().reshape(4, -1), expected, atol=1e-5)


@pytest.mark.parametrize("make", LAYERS.values(), ids=LAYERS.keys())
def test_activation_set_on_a_linear_layer_is_applied(make):
    layer = make(None)
    layer(X)
    layer.activation = activations.relu
    expected = np.maximum(_dense_reference(layer, X), 0)
    np.testing.assert_allclose(layer(X).detach().numpy().reshape(4, -1), expected, atol=1e-5)
    layer.activation = activations.linear
    np.testing.assert_allclose(layer(X).detach().numpy().reshape(4, -1),
                               _dense_reference(layer, X), atol=1e-5)


@pytest.mark.parametrize("make", [LAYERS["Dense"], LAYERS["EinsumDense"]],
                         ids=["Dense", "EinsumDense"])
def test_config_after_setting_none_says_linear(make):
    layer = make("softmax")
    layer.activation = None
    assert layer.get_config()["activation"] == "linear"
    assert type(layer).from_config(layer.get_config()).activation is activations.linear


def test_grad_cam_model_predicts_logits_after_activation_is_removed():
    inputs = keras.Input((3,))
    hidden = layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(hidden))
    model.layers[-1].activation = None
    logits = model.predict(X, verbose=0)
    first, last = model.layers[1], model.layers[-1]
    expected = _dense_reference(last, np.maximum(_dense_reference(first, X), 0))
    np.testing.assert_allclose(logits, expected, atol=1e-5)
    assert not np.allclose(logits.sum(axis=-1), 1.0)


def test_a_layer_set_as_activation_stays_a_submodule():
    layer = layers.Dense(3)
    layer.build((None, 3))
    layer.activation = layers.ReLU()
    assert isinstance(dict(layer.named_children())["activation"], layers.ReLU)
    assert (layer(torch.tensor(-X)).detach().numpy() >= 0).all()
