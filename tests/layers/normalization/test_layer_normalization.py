"""LayerNormalization: float64 NumPy reference, weights per axis, rms_scaling, errors."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, trainable", [
    ({}, 2), ({"axis": [1, 2]}, 2), ({"axis": 1}, 2), ({"center": False, "scale": False}, 0),
])
def test_run_layer_test(kwargs, trainable):
    run_layer_test(layers.LayerNormalization, kwargs, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=0, supports_masking=True)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2], (0, 2)])
def test_matches_float64_numpy(axis):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5)) * 3 + 1
    layer = layers.LayerNormalization(axis=axis, epsilon=0.01)
    layer.build(x.shape)
    gamma, beta = (rng.standard_normal(w.shape) for w in layer.get_weights())
    layer.set_weights([gamma, beta])
    axes = tuple(np.atleast_1d(axis) % 3)
    shape = [x.shape[a] if a in axes else 1 for a in range(3)]
    mean, variance = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    expected = (x - mean) / np.sqrt(variance + 0.01) * gamma.reshape(shape) + beta.reshape(shape)
    out = layer(x).detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_weights_have_the_shape_of_the_normalized_axes():
    layer = layers.LayerNormalization(axis=[1, 2])
    layer.build((None, 3, 4))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 4), (3, 4)]
    assert [w.name for w in layer.weights] == ["gamma", "beta"]


def test_rms_scaling_warns_and_has_no_beta():
    with pytest.warns(UserWarning, match="use `keras.layers.RMSNormalization`"):
        layer = layers.LayerNormalization(rms_scaling=True)
        layer.build((None, 4))
    assert [w.name for w in layer.weights] == ["gamma"]
    x = np.array([[1.0, 2.0, 3.0, 6.0]])
    expected = x / np.sqrt(x.var() + 1e-3)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-6)


def test_same_in_training_and_inference():
    layer = layers.LayerNormalization()
    x = torch.randn(4, 6)
    torch.testing.assert_close(layer(x, training=True), layer(x, training=False))


def test_axis_out_of_range():
    with pytest.raises(ValueError, match=r"LayerNormalization 'ln': axis -4 is out of bounds for "
                                         r"input shape \(2, 3, 4\)"):
        layers.LayerNormalization(axis=-4, name="ln")(torch.ones(2, 3, 4))


def test_axis_of_wrong_type():
    with pytest.raises(TypeError, match=r"expected an int or a list/tuple of ints for the argument "
                                        r"`axis`, but received: axis='last'"):
        layers.LayerNormalization(axis="last")
