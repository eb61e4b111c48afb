"""Softmax layer: axes, masks (probability 0 where masked), mask shape errors."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("axis", [-1, 1, (1, 2)])
def test_run_layer_test(axis):
    run_layer_test(layers.Softmax, {"axis": axis}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   supports_masking=True)


def test_matches_float64_numpy_over_two_axes():
    x = np.random.default_rng(0).standard_normal((2, 3, 4)) * 3
    out = layers.Softmax(axis=(1, 2))(x).numpy()
    expected = np.exp(x) / np.exp(x).sum(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)


def test_masked_positions_get_zero_and_the_rest_renormalize():
    x = torch.tensor([[2.0, 1.0, 0.5, 9.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    out = layers.Softmax()(x, mask=mask)
    assert out[0, 3] == 0
    torch.testing.assert_close(out[0, :3], torch.softmax(x[0, :3], 0))


def test_mask_carried_by_the_inputs_is_used():
    x = torch.zeros(1, 4)
    x._keras_mask = torch.tensor([[True, True, False, False]])
    torch.testing.assert_close(layers.Softmax()(x), torch.tensor([[0.5, 0.5, 0.0, 0.0]]))


def test_mask_that_does_not_broadcast():
    with pytest.raises(ValueError, match=r"`mask` must be broadcastable to `inputs`.* "
                                         r"inputs.shape=\(2, 3\), mask.shape=\(2, 4\)"):
        layers.Softmax()(torch.ones(2, 3), mask=torch.ones(2, 4, dtype=torch.bool))
