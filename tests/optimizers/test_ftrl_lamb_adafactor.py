"""Ftrl, Lamb and Adafactor against Keras 3.15 (tests/fixtures/optimizers/optimizer_reference.npz,
made by make_optimizer_reference.py): weights after each of four steps, the optimizer's
variables in Keras' order, and the config."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina import optimizers

FIXTURE = Path(__file__).parents[1] / "fixtures" / "optimizers" / "optimizer_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = json.loads(str(REFERENCE["cases"]))
STEPS = sum(1 for key in REFERENCE.files if key.startswith("grads/") and key.endswith("/0"))
NUM_WEIGHTS = sum(1 for key in REFERENCE.files if key.startswith("weights/"))


def _weights():
    return [torch.nn.Parameter(torch.from_numpy(REFERENCE[f"weights/{i}"].copy()))
            for i in range(NUM_WEIGHTS)]


def _grads(step):
    return [torch.from_numpy(REFERENCE[f"grads/{step}/{i}"]) for i in range(NUM_WEIGHTS)]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_steps_match_keras(case):
    optimizer = getattr(optimizers, case["class_name"])(**case["config"])
    weights = _weights()
    for step in range(STEPS):
        optimizer.apply(_grads(step), weights)
        for i, weight in enumerate(weights):
            np.testing.assert_allclose(weight.detach().numpy(),
                                       REFERENCE[f"{case['name']}/step{step}/{i}"],
                                       rtol=1e-5, atol=1e-6, err_msg=f"step {step}, weight {i}")
    variables = optimizer.get_weights()
    assert len(variables) == case["num_variables"]
    for j, variable in enumerate(variables):
        expected = REFERENCE[f"{case['name']}/variables/{j}"]
        assert variable.shape == expected.shape, j
        np.testing.assert_allclose(variable, expected, rtol=1e-5, atol=1e-6, err_msg=str(j))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_is_keras_and_round_trips(case):
    optimizer = getattr(optimizers, case["class_name"])(**case["config"])
    config = optimizer.get_config()
    keras_config = dict(case["keras_config"])
    assert set(config) == set(keras_config)
    for key, value in keras_config.items():
        if key != "name":
            assert config[key] == pytest.approx(value), key
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(again) is type(optimizer) and again.get_config() == config


@pytest.mark.parametrize("name", ["ftrl", "lamb", "adafactor"])
def test_get_by_name(name):
    assert type(optimizers.get(name)).__name__.lower() == name


@pytest.mark.parametrize("cls", [optimizers.Ftrl, optimizers.Lamb, optimizers.Adafactor])
def test_step_stays_on_device_tensors_and_follows_a_schedule(cls):
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = cls(learning_rate=schedule)
    weights = _weights()
    before = [w.detach().clone() for w in weights]
    for step in range(2):
        optimizer.apply(_grads(step), weights)
    assert all(not torch.equal(a, b.detach()) for a, b in zip(before, weights))
    assert all(w.dtype == torch.float32 for w in weights)
    assert int(optimizer.iterations) == 2


def test_adafactor_factors_matrices_and_keeps_placeholders_for_vectors():
    optimizer = optimizers.Adafactor()
    optimizer.build(_weights())
    shapes = [tuple(v.shape) for v in optimizer.variables[2:]]
    assert shapes == [(3,), (4,), (3, 4), (), (), (4,), (2, 3), (2, 2), (2, 3, 2)]


@pytest.mark.parametrize("argument, value", [
    ("initial_accumulator_value", -0.1), ("learning_rate_power", 0.5),
    ("l1_regularization_strength", -1.0), ("l2_regularization_strength", -1.0),
    ("l2_shrinkage_regularization_strength", -1.0)])
def test_ftrl_refuses_negative_strengths(argument, value):
    with pytest.raises(ValueError, match=f"{argument}={value}"):
        optimizers.Ftrl(**{argument: value})


def test_ftrl_fits_a_model():
    import lamina

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    for optimizer in (optimizers.Ftrl(0.5), optimizers.Lamb(0.05), optimizers.Adafactor(0.1)):
        lamina.utils.set_random_seed(0)
        model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
        model.compile(optimizer=optimizer, loss="mse")
        history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0], type(optimizer)


@pytest.mark.parametrize("cls", [optimizers.Ftrl, optimizers.Lamb, optimizers.Adafactor])
@pytest.mark.parametrize("options", [
    {}, {"clipnorm": 1.0}, {"weight_decay": 0.1}, {"gradient_accumulation_steps": 2},
    {"learning_rate": optimizers.schedules.CosineDecay(0.1, 10)}],
    ids=lambda o: "-".join(o) or "plain")
def test_step_never_reads_the_host(cls, options, monkeypatch):
    # Meta tensors have no data: a host read raises, so the step is CUDA-graph capturable.
    import lamina

    monkeypatch.setattr(lamina.backend, "_device", torch.device("meta"))
    optimizer = cls(**options)
    params = [torch.nn.Parameter(torch.ones(3, 2, device="meta")),
              torch.nn.Parameter(torch.ones(2, device="meta"))]
    for _ in range(2):
        optimizer.apply([torch.ones(3, 2, device="meta"), torch.ones(2, device="meta")], params)
    assert optimizer.iterations.device.type == "meta"
