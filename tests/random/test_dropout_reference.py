"""`lamina.random.dropout` equals Keras 3's PyTorch `keras.random.dropout`: an int seed draws the
same mask every call, a SeedGenerator the next of its stream; rate 1 gives zeros and rate 0 the
inputs (reference: tests/fixtures/random/make_seeded_noise_reference.py)."""
import json
import pathlib

import numpy as np
import pytest
import torch

from lamina import random

FIXTURE = pathlib.Path(__file__).parents[1] / "fixtures" / "random" / "seeded_noise_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["dropout_cases"]))}


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_draws_equal_keras_torch(name):
    case = CASES[name]
    seed = random.SeedGenerator(case["seed"]) if case["seed_generator"] else case["seed"]
    ones = torch.ones(case["input_shape"])  # on the CPU, where the reference was drawn
    for call in range(2):
        kept = random.dropout(ones, case["rate"], noise_shape=case["noise_shape"], seed=seed)
        np.testing.assert_allclose(kept.numpy(), REFERENCE[f"{name}/call_{call}"], rtol=0,
                                   atol=1e-6)


def test_unseeded_dropout_keeps_the_rate_and_scales_the_rest():
    kept = random.dropout(torch.ones(10_000), rate=0.25)
    np.testing.assert_allclose(np.unique(kept.numpy()), [0.0, 1 / 0.75], rtol=1e-6)
    assert abs(float((kept == 0).float().mean()) - 0.25) < 0.02


def test_the_mask_follows_a_non_float32_input_dtype():
    kept = random.dropout(torch.ones(4, 8, dtype=torch.float64), 0.5, seed=3)
    assert kept.dtype == torch.float64
    assert set(kept.flatten().tolist()) == {0.0, 2.0}


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_rate_outside_zero_one_is_refused(rate):
    with pytest.raises(ValueError, match=rf"argument `rate`. Expected a float value between 0 and "
                                         rf"1. Received: rate={rate}"):
        random.dropout(torch.ones(3), rate=rate)
