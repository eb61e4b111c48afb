"""GroupNormalization: float64 NumPy reference, instance norm, groups errors."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, input_shape", [
    ({"groups": 2}, (2, 3, 4)), ({"groups": -1}, (2, 5, 3)), ({"groups": 2, "axis": 1}, (2, 4, 3, 3)),
])
def test_run_layer_test(kwargs, input_shape):
    run_layer_test(layers.GroupNormalization, kwargs, input_shape=input_shape,
                   expected_output_shape=input_shape, expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0, supports_masking=True)


@pytest.mark.parametrize("groups", [1, 2, 3, 6, -1])
def test_matches_float64_numpy_on_channels_last_images(groups):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4, 6)) * 2 + 0.5
    layer = layers.GroupNormalization(groups=groups)
    layer.build(x.shape)
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    layer.set_weights([gamma, beta])
    count = 6 if groups == -1 else groups
    grouped = x.reshape(2, 3, 4, count, 6 // count)
    mean = grouped.mean(axis=(1, 2, 4), keepdims=True)
    variance = grouped.var(axis=(1, 2, 4), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(variance + 1e-3)).reshape(x.shape) * gamma + beta
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-5)


def test_groups_must_divide_the_channels():
    with pytest.raises(ValueError, match=r"number of groups \(4\) must divide the number of "
                                         r"channels \(6\) of axis -1 in input shape \(2, 6\). "
                                         r"Choose groups from \[1, 2, 3, 6\]"):
        layers.GroupNormalization(groups=4)(torch.ones(2, 6))


def test_groups_cannot_exceed_the_channels():
    with pytest.raises(ValueError, match=r"number of groups \(32\) cannot be more than the number "
                                         r"of channels \(8\)"):
        layers.GroupNormalization()(torch.ones(2, 8))


@pytest.mark.parametrize("groups", [0, -2, 2.0, True])
def test_groups_must_be_a_positive_integer(groups):
    with pytest.raises(ValueError, match=r"expected a positive integer \(or `-1` for instance "
                                         r"normalization\)"):
        layers.GroupNormalization(groups=groups)
