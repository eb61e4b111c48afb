"""PReLU: learned slope per unit or shared over axes, trainable, clear errors."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, input_shape", [
    ({}, (2, 3, 4)), ({"shared_axes": [1, 2]}, (2, 3, 4, 5)), ({"alpha_initializer": "ones"}, (2, 5)),
])
def test_run_layer_test(kwargs, input_shape):
    run_layer_test(layers.PReLU, kwargs, input_shape=input_shape, expected_output_shape=input_shape,
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=0,
                   supports_masking=True)


def test_matches_float64_numpy_with_a_shared_axis():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    layer = layers.PReLU(shared_axes=1)
    layer.build(x.shape)
    alpha = rng.uniform(0.1, 0.5, (1, 4))
    layer.set_weights([alpha])
    np.testing.assert_allclose(layer(x).detach().numpy(), np.where(x >= 0, x, alpha * x), rtol=1e-6)


def test_default_alpha_is_zero_and_regularizer_counts():
    layer = layers.PReLU(alpha_regularizer="l2")
    layer.build((None, 3))
    np.testing.assert_array_equal(layer.get_weights()[0], np.zeros(3))
    assert len(layer.losses) == 1
    assert layer.count_params() == 3


def test_unknown_axes_need_sharing():
    with pytest.raises(ValueError, match=r"axes \[1\] of input shape \(None, None, 8\) are unknown. "
                                         r"Share alpha along them: shared_axes=\[1\]"):
        layers.PReLU()(lamina.Input((None, 8)))


def test_shared_axes_out_of_range():
    with pytest.raises(ValueError, match=r"`shared_axes` must number axes from 1 to 2"):
        layers.PReLU(shared_axes=[0])(torch.ones(2, 3, 4))


def test_other_size_after_build_gets_keras_message():
    layer = layers.PReLU(shared_axes=[1])
    layer(torch.ones(2, 3, 4))
    layer(torch.ones(2, 7, 4))
    with pytest.raises(ValueError, match="expected axis 2 of input shape to have value 4"):
        layer(torch.ones(2, 3, 5))
