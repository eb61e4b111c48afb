"""Discretization: bins against NumPy's digitize, learned quantiles, modes, config, slips.

Keras parity of learned boundaries (Keras' quantile summaries, also over several batches)
and of every output mode is in test_text_preprocessing_reference.py.
"""
import json

import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


def test_bins_equal_numpy_digitize():
    rng = np.random.default_rng(3)
    boundaries = np.sort(rng.standard_normal(7)).tolist()
    values = np.concatenate([rng.standard_normal(500), boundaries]).astype("float32")
    output = layers.Discretization(bin_boundaries=boundaries)(values)
    assert output.dtype == torch.int32
    expected = np.digitize(values, np.array(boundaries, dtype="float32"))
    np.testing.assert_array_equal(output.numpy(), expected)


def test_learned_boundaries_split_the_data_into_near_equal_bins():
    data = np.random.default_rng(0).uniform(0, 100, 10_000).astype("float32")
    layer = layers.Discretization(num_bins=4, epsilon=0.001)
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]), atol=0.5)
    counts = np.bincount(layer(data).numpy(), minlength=4)
    assert counts.min() > 2400


def test_adapt_on_a_tensor_and_on_integers():
    layer = layers.Discretization(num_bins=2)
    layer.adapt(torch.arange(10))
    assert layer(np.array([0, 9])).tolist() == [0, 1]


def test_config_round_trip_keeps_learned_boundaries():
    layer = layers.Discretization(num_bins=3)
    layer.adapt(np.arange(30, dtype="float32"))
    config = json.loads(json.dumps(layer.get_config()))
    assert list(config) == ["bin_boundaries", "num_bins", "epsilon", "output_mode", "sparse",
                            "name", "dtype"]
    clone = layers.Discretization.from_config(config)
    assert clone.bin_boundaries == layer.bin_boundaries
    values = np.array([0.0, 12.0, 29.0], dtype="float32")
    assert clone(values).tolist() == layer(values).tolist()


@pytest.mark.parametrize("output_mode, shape", [("int", (4, 3)), ("one_hot", (4, 3, 4)),
                                                ("multi_hot", (4, 4)), ("count", (4, 4))])
def test_layer_harness(output_mode, shape):
    run_layer_test(layers.Discretization, {"bin_boundaries": [-0.5, 0.0, 0.5], "output_mode": output_mode},
                   input_shape=(4, 3), expected_output_shape=shape)


def test_errors():
    with pytest.raises(ValueError, match="You need to set either `num_bins` or `bin_boundaries`"):
        layers.Discretization()
    with pytest.raises(ValueError, match="should not be set"):
        layers.Discretization(num_bins=2, bin_boundaries=[0.0])
    with pytest.raises(ValueError, match="Cannot adapt a Discretization layer"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match=r"call `adapt\(dataset\)` before"):
        layers.Discretization(num_bins=3)(np.ones(3))
    with pytest.raises(ValueError, match="Unknown value for `output_mode`"):
        layers.Discretization(num_bins=3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="`steps` of Discretization.adapt must be a positive"):
        layers.Discretization(num_bins=3).adapt(iter([np.ones(3)]), steps=0)
