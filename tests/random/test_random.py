"""keras.random: seeded, reproducible, with Keras' ranges and moments."""
import numpy as np
import pytest
import torch

import lamina
from lamina import random


def test_int_seed_repeats_and_seed_generator_advances():
    assert torch.equal(random.normal((4,), seed=3), random.normal((4,), seed=3))
    generator = random.SeedGenerator(7)
    first, second = random.uniform((4,), seed=generator), random.uniform((4,), seed=generator)
    assert not torch.equal(first, second)
    replay = random.SeedGenerator(7)
    assert torch.equal(random.uniform((4,), seed=replay), first)
    assert generator.state.tolist() == [7, 2]


def test_distributions_have_keras_ranges_and_moments():
    x = random.normal((20000,), mean=2.0, stddev=3.0, seed=0)
    assert abs(float(x.mean()) - 2.0) < 0.1 and abs(float(x.std()) - 3.0) < 0.1
    u = random.uniform((1000,), minval=-1.0, maxval=1.0, seed=0)
    assert float(u.min()) >= -1.0 and float(u.max()) < 1.0
    t = random.truncated_normal((5000,), stddev=2.0, seed=0)
    assert float(t.abs().max()) <= 4.0
    r = random.randint((1000,), minval=3, maxval=6, seed=0)
    assert r.dtype == torch.int32 and set(r.tolist()) == {3, 4, 5}
    g = random.gamma((20000,), alpha=2.0, seed=0)
    assert abs(float(g.mean()) - 2.0) < 0.1
    b = random.beta((20000,), alpha=2.0, beta=2.0, seed=0)
    assert abs(float(b.mean()) - 0.5) < 0.02
    n = random.binomial((20000,), counts=10, probabilities=0.3, seed=0)
    assert abs(float(n.mean()) - 3.0) < 0.1


def test_dropout_shuffle_categorical():
    kept = random.dropout(torch.ones(10000), rate=0.25, seed=0)
    np.testing.assert_allclose(np.unique(kept.numpy()), [0.0, 1 / 0.75], rtol=1e-6)
    assert abs(float((kept == 0).float().mean()) - 0.25) < 0.02
    shuffled = random.shuffle(torch.arange(10), seed=0)
    assert sorted(shuffled.tolist()) == list(range(10))
    samples = random.categorical(torch.log(torch.tensor([[0.0001, 0.9999]])), 50, seed=0)
    assert samples.shape == (1, 50) and int(samples.sum()) >= 48
    with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
        random.dropout(torch.ones(3), rate=1.5)


def test_seeded_gamma_leaves_global_randomness_alone():
    lamina.utils.set_random_seed(0)
    expected = torch.rand(3)
    lamina.utils.set_random_seed(0)
    random.gamma((3,), alpha=1.0, seed=5)
    assert torch.equal(torch.rand(3), expected)


def test_config_setters_validate_and_take_effect():
    config = lamina.config
    assert config.backend() == "torch"
    config.set_image_data_format("channels_first")
    try:
        assert lamina.backend.image_data_format() == "channels_first"
    finally:
        config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="data_format"):
        config.set_image_data_format("NHWC")
    with pytest.raises(ValueError, match="Unknown `floatx` value"):
        config.set_floatx("float8")
    assert config.dtype_policy().name == "float32"
