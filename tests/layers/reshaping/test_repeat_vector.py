"""RepeatVector: (batch, features) -> (batch, n, features), argument checks."""
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


def test_run_layer_test():
    run_layer_test(layers.RepeatVector, {"n": 4}, input_shape=(2, 3),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=0)


def test_values_repeat_and_feed_a_trainable_model():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = layers.RepeatVector(3)(x)
    torch.testing.assert_close(out, x[:, None, :].repeat(1, 3, 1))
    inputs = lamina.Input((2,))
    model = lamina.Model(inputs, layers.Dense(1)(layers.RepeatVector(3)(inputs)))
    assert tuple(model.output_shape) == (None, 3, 1)


def test_bad_n():
    with pytest.raises(TypeError, match="Expected an integer value for `n`, got float"):
        layers.RepeatVector(2.0)
    with pytest.raises(ValueError, match="should be a positive integer. Received: n=0"):
        layers.RepeatVector(0)


def test_wrong_rank():
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        layers.RepeatVector(2)(torch.ones(1, 2, 3))
