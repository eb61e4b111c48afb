"""set_random_seed makes Python, NumPy and torch repeat exactly."""
import random

import numpy as np
import pytest
import torch

import lamina as keras
from lamina.utils import rng_utils, set_random_seed


def draw():
    layer = torch.nn.Linear(4, 3)
    dropped = torch.nn.functional.dropout(torch.ones(20), p=0.5, training=True)
    return (random.random(), np.random.rand(3).tolist(), layer.weight.detach().clone(),
            dropped, torch.randperm(10))


def test_same_seed_same_draws():
    set_random_seed(1337)
    first = draw()
    set_random_seed(1337)
    second = draw()
    assert first[:2] == second[:2]
    for a, b in zip(first[2:], second[2:]):
        assert torch.equal(a, b)
    set_random_seed(1338)
    assert draw()[0] != first[0]


def test_accepts_numpy_integers_and_records_seed():
    set_random_seed(np.int64(7))
    assert rng_utils.get_random_seed() == 7
    assert torch.initial_seed() == 7


@pytest.mark.parametrize("seed", [1.5, "42", None, True])
def test_non_integer_seed_is_keras_value_error(seed):
    with pytest.raises(ValueError, match="Expected `seed` argument to be an integer"):
        set_random_seed(seed)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_out_of_range_seed(seed):
    with pytest.raises(ValueError, match="between 0 and 2\\*\\*32 - 1"):
        set_random_seed(seed)


def test_keras_namespace():
    assert keras.utils.set_random_seed is set_random_seed
