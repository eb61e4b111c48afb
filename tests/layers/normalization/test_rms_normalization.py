"""RMSNormalization: float64 NumPy reference on trailing and inner axes, the `scale` weight."""
import numpy as np
import pytest

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("axis", [-1, [1, 2], 1])
def test_run_layer_test(axis):
    run_layer_test(layers.RMSNormalization, {"axis": axis}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1,
                   supports_masking=False)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_matches_float64_numpy(axis):
    # Keras 3.15 fails on an inner axis (its scale does not broadcast); lamina reshapes it.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4)) * 2
    layer = layers.RMSNormalization(axis=axis, epsilon=1e-2)
    layer.build(x.shape)
    (scale,) = [rng.standard_normal(w.shape) for w in layer.get_weights()]
    layer.set_weights([scale])
    axes = tuple(np.atleast_1d(axis) % 3)
    shape = [x.shape[a] if a in axes else 1 for a in range(3)]
    expected = x / np.sqrt((x ** 2).mean(axis=axes, keepdims=True) + 1e-2) * scale.reshape(shape)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_scale_weight_is_named_like_keras():
    layer = layers.RMSNormalization()
    layer.build((None, 5))
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [("scale", (5,))]
