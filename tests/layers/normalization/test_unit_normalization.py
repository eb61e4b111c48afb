"""UnitNormalization: unit L2 norm over the axes, zero vectors stay zero."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_run_layer_test(axis):
    run_layer_test(layers.UnitNormalization, {"axis": axis}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   supports_masking=True)


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_matches_float64_numpy(axis):
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    axes = tuple(np.atleast_1d(axis))
    expected = x / np.sqrt((x ** 2).sum(axis=axes, keepdims=True))
    out = layers.UnitNormalization(axis=axis)(x).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_zero_vector_stays_zero():
    out = layers.UnitNormalization()(torch.zeros(1, 3))
    torch.testing.assert_close(out, torch.zeros(1, 3))


def test_axis_out_of_range():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for input shape"):
        layers.UnitNormalization(axis=2)(torch.ones(2, 3))
