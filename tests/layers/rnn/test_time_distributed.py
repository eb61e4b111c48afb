"""TimeDistributed: one call over batch x time, per-step numbers, masks and Keras' errors."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


def test_layer_harness():
    run_layer_test(layers.TimeDistributed, {"layer": layers.Dense(3)}, input_shape=(2, 5, 4),
                   expected_output_shape=(2, 5, 3), expected_num_trainable_weights=2,
                   supports_masking=True)


def test_every_step_gets_the_same_layer():
    x = torch.randn(2, 6, 4, 4, 1)
    layer = layers.TimeDistributed(layers.Conv2D(2, 3))
    outputs = layer(x)
    assert outputs.shape == (2, 6, 2, 2, 2)
    for t in range(6):
        np.testing.assert_allclose(outputs[:, t].detach().numpy(), layer.layer(x[:, t]).detach().numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_batch_statistics_are_taken_per_step_as_in_keras():
    x = torch.randn(8, 3, 4) * torch.tensor([1.0, 5.0, 20.0]).view(1, 3, 1)
    outputs = layers.TimeDistributed(layers.BatchNormalization())(x, training=True)
    for t in range(3):
        step = outputs[:, t].detach().numpy()
        np.testing.assert_allclose(step.mean(0), 0.0, atol=1e-4)
        np.testing.assert_allclose(step.std(0), 1.0, rtol=0.05)


def test_mask_passes_through_and_reaches_a_masking_aware_layer():
    mask = torch.tensor([[True, False, True]])
    outputs = layers.TimeDistributed(layers.Dense(2))(torch.ones(1, 3, 4), mask=mask)
    assert outputs._keras_mask is mask


def test_inputs_without_a_time_axis_are_refused():
    with pytest.raises(ValueError, match="expected min_ndim=3, found ndim=2"):
        layers.TimeDistributed(layers.Dense(2))(torch.ones(4, 3))
    with pytest.raises(ValueError, match="Please initialize `TimeDistributed` layer with a"):
        layers.TimeDistributed(torch.nn.Linear(2, 2))


def test_config_round_trip():
    clone = layers.TimeDistributed.from_config(layers.TimeDistributed(layers.Dense(7)).get_config())
    assert clone.layer.units == 7 and clone(torch.ones(1, 2, 3)).shape == (1, 2, 7)
