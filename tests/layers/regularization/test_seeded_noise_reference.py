"""Seeded noise layers equal Keras 3 on PyTorch call for call: GaussianNoise, GaussianDropout,
AlphaDropout and SpatialDropout1D/2D/3D each draw the next seed of their SeedGenerator
(reference: tests/fixtures/random/make_seeded_noise_reference.py)."""
import json
import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina import layers

FIXTURE = pathlib.Path(__file__).parents[2] / "fixtures" / "random" / "seeded_noise_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["layer_cases"]))}
NOISE_LAYERS = [(layers.GaussianNoise, {"stddev": 0.5}), (layers.GaussianDropout, {"rate": 0.3}),
                (layers.AlphaDropout, {"rate": 0.3}), (layers.SpatialDropout1D, {"rate": 0.5})]


def _layer(name):
    case = CASES[name]
    return getattr(layers, case["class_name"])(**case["config"]), tuple(case["input_shape"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_training_calls_equal_keras_torch(name):
    layer, input_shape = _layer(name)
    ones = torch.ones(input_shape)  # on the CPU, where the reference was drawn
    for call in range(2):
        np.testing.assert_allclose(layer(ones, training=True).numpy(),
                                   REFERENCE[f"{name}/call_{call}"], rtol=0, atol=1e-6)


@pytest.mark.parametrize("cls, config", NOISE_LAYERS)
def test_a_seeded_layer_owns_a_seed_generator_and_an_unseeded_one_none(cls, config):
    seeded = cls(**config, seed=2)
    assert isinstance(seeded.seed_generator, lamina.random.SeedGenerator)
    assert seeded.seed_generator.get_config()["seed"] == 2
    assert cls(**config).seed_generator is None


@pytest.mark.parametrize("cls, config", NOISE_LAYERS)
def test_each_training_call_takes_one_seed_and_inference_none(cls, config):
    layer = cls(**config, seed=2)
    ones = torch.ones(2, 3, 4)
    layer(ones)
    assert layer.seed_generator.counter == 0
    layer(ones, training=True)
    layer(ones, training=True)
    assert layer.seed_generator.counter == 2


@pytest.mark.parametrize("cls, config", NOISE_LAYERS)
def test_building_a_model_draws_nothing_from_the_stream(cls, config):
    inputs = lamina.Input((3, 4))
    layer = cls(**config, seed=2)
    lamina.Model(inputs, layer(inputs, training=True))
    assert layer.seed_generator.counter == 0


@pytest.mark.parametrize("cls, config", NOISE_LAYERS)
def test_unseeded_layers_follow_torchs_global_generator(cls, config):
    ones = torch.ones(2, 3, 4)
    torch.manual_seed(0)
    first = cls(**config)(ones, training=True)
    torch.manual_seed(0)
    torch.testing.assert_close(cls(**config)(ones, training=True), first, rtol=0, atol=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("cls, config", NOISE_LAYERS)
def test_cuda_inputs_draw_on_their_device(cls, config):
    ones = torch.ones(2, 3, 4, device="cuda")
    with lamina.backend.device_scope("cpu"):
        first = cls(**config, seed=2)(ones, training=True)
    assert first.device.type == "cuda"
    torch.testing.assert_close(cls(**config, seed=2)(ones, training=True), first, rtol=0, atol=0)
