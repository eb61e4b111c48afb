"""Muon, ScheduleFreeAdamW and MultiOptimizer against Keras 3.15
(tests/fixtures/optimizers/muon_schedule_free_reference.npz, made by
make_muon_schedule_free_reference.py): weights after each of four steps, the optimizer's
variables in Keras' order, and the config."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import optimizers

FIXTURE = (Path(__file__).parents[1] / "fixtures" / "optimizers"
           / "muon_schedule_free_reference.npz")
REFERENCE = np.load(FIXTURE)
CASES = json.loads(str(REFERENCE["cases"]))
NAMES = json.loads(str(REFERENCE["names"]))
STEPS = sum(1 for key in REFERENCE.files if key.startswith("grads/") and key.endswith("/0"))


def _weights():
    weights = []
    for i, path in enumerate(NAMES):
        weight = torch.nn.Parameter(torch.from_numpy(REFERENCE[f"weights/{i}"].copy()))
        weight.path = path
        weights.append(weight)
    return weights


def _grads(step):
    return [torch.from_numpy(REFERENCE[f"grads/{step}/{i}"]) for i in range(len(NAMES))]


def _multi_optimizer():
    return optimizers.MultiOptimizer(optimizers.OptimizerMap(
        default_optimizer=optimizers.SGD(learning_rate=0.1, momentum=0.5),
        optimizer_map={"encoder/.*": optimizers.Adam(learning_rate=0.01)}))


def _optimizer(case):
    if case["class_name"] == "MultiOptimizer":
        return _multi_optimizer()
    return getattr(optimizers, case["class_name"])(**case["config"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_steps_match_keras(case):
    optimizer = _optimizer(case)
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


def _approx_config(config, keras_config):
    assert set(config) == set(keras_config)
    for key, value in keras_config.items():
        if key == "name":
            continue
        if isinstance(value, dict):
            _approx_config(config[key], value)
        else:
            assert config[key] == pytest.approx(value), key


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_is_keras_and_round_trips(case):
    optimizer = _optimizer(case)
    config = lamina.saving.serialize_keras_object(optimizer)["config"]
    _approx_config(config, case["keras_config"])
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(again) is type(optimizer)
    assert optimizers.serialize(again)["config"] == optimizers.serialize(optimizer)["config"]


@pytest.mark.parametrize("name", ["muon", "schedulefreeadamw"])
def test_get_by_name(name):
    assert type(optimizers.get(name)).__name__.lower() == name


@pytest.mark.parametrize("cls", [optimizers.Muon, optimizers.ScheduleFreeAdamW])
def test_schedule_and_gradient_accumulation(cls):
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    weights = _weights()
    before = [w.detach().clone() for w in weights]
    optimizer = cls(learning_rate=schedule, gradient_accumulation_steps=2)
    optimizer.apply(_grads(0), weights)
    assert all(torch.equal(a, b.detach()) for a, b in zip(before, weights))
    optimizer.apply(_grads(1), weights)
    assert all(not torch.equal(a, b.detach()) for a, b in zip(before, weights))
    assert int(optimizer.iterations) == 1


def test_muon_sends_embeddings_vectors_and_excluded_layers_to_adam():
    optimizer = optimizers.Muon(exclude_layers=["decoder"])
    optimizer.build(_weights())
    uses_adam = [v is not None for v in optimizer._adam_velocities]
    assert uses_adam == [False, True, True, True, True]
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        optimizer.zeropower_via_newtonschulz5(torch.ones(3), 5)


def test_multi_optimizer_guards():
    multi = _multi_optimizer()
    with pytest.raises(AttributeError, match="cannot be accessed on a MultiOptimizer"):
        multi.learning_rate
    with pytest.raises(AttributeError, match="cannot be set on a MultiOptimizer"):
        multi.learning_rate = 0.1
    mapping = optimizers.OptimizerMap(optimizers.SGD())
    mapping["a"] = optimizers.Adam()
    with pytest.raises(ValueError, match="'a' already exists in the OptimizerMap"):
        mapping["a"] = optimizers.Adam()
    with pytest.raises(ValueError, match="optimizer cannot be MultiOptimizer"):
        mapping["b"] = multi
    with pytest.raises(TypeError, match="default_optimizer must be a Keras Optimizer"):
        optimizers.OptimizerMap("sgd")
    mapping["x.*"] = optimizers.SGD()
    mapping["xy.*"] = optimizers.SGD()
    with pytest.raises(ValueError, match="Multiple optimizers assigned to variable xyz"):
        mapping["xyz"]
    multi.loss_scale_factor = 4.0
    assert all(o.loss_scale_factor == 4.0 for o in multi.optimizers)


def test_multi_optimizer_with_a_function_trains_a_model():
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], dtype="float32"))[:, None]
    adam, sgd = optimizers.Adam(0.05), optimizers.SGD(0.05)
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(8, name="encoder"),
                               lamina.layers.Dense(1, name="head")])
    model.compile(optimizer=optimizers.MultiOptimizer(
        lambda variable: adam if "encoder" in variable.path else sgd), loss="mse")
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert int(adam.iterations) == int(sgd.iterations) == 16
    assert len(adam.variables) == 2 + 2 * 2 and len(sgd.variables) == 2


@pytest.mark.parametrize("make", [
    lambda: optimizers.Muon(learning_rate=0.01), lambda: optimizers.ScheduleFreeAdamW(),
    lambda: optimizers.MultiOptimizer(optimizers.OptimizerMap(
        optimizers.SGD(0.1, momentum=0.9), {".*hidden/.*": optimizers.Adam(0.01)}))],
    ids=["muon", "schedule_free_adamw", "multi_optimizer"])
def test_state_round_trips_through_a_keras_file(make, tmp_path):
    inputs = lamina.Input((3,))
    hidden = lamina.layers.Dense(4, name="hidden")(inputs)
    model = lamina.Model(inputs, lamina.layers.Dense(1, name="out")(hidden))
    model.compile(optimizer=make(), loss="mse")
    model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)
    model.save(tmp_path / "model.keras")
    again = lamina.models.load_model(tmp_path / "model.keras")
    assert type(again.optimizer) is type(model.optimizer)
    saved, loaded = model.optimizer.get_weights(), again.optimizer.get_weights()
    assert len(saved) == len(loaded) > 2
    for expected, value in zip(saved, loaded):
        np.testing.assert_array_equal(value, expected)


KERAS_FILES = Path(__file__).parents[1] / "fixtures" / "optimizers"


KERAS_OPTIMIZER_CLASSES = {
    "muon": "Muon", "schedule_free_adamw": "ScheduleFreeAdamW",
    "multi_optimizer": "MultiOptimizer", "adadelta": "Adadelta", "adam_amsgrad": "Adam",
    "adamw": "AdamW", "rmsprop_centered": "RMSprop", "sgd_momentum": "SGD",
    "adagrad": "Adagrad", "adamax": "Adamax", "nadam": "Nadam", "ftrl": "Ftrl",
    "lion": "Lion", "lamb": "Lamb", "adafactor": "Adafactor"}


@pytest.mark.parametrize("name", sorted(KERAS_OPTIMIZER_CLASSES))
def test_loads_a_model_trained_by_keras_with_its_optimizer_state(name):
    """Every optimizer's state comes back in Keras' slot order (Adadelta's interleaves its
    two slots per weight; lamina's once put all of one slot first, and the file failed)."""
    reference = np.load(KERAS_FILES / "keras_optimizer_files.npz")
    model = lamina.models.load_model(KERAS_FILES / f"keras_{name}.keras")
    assert type(model.optimizer).__name__ == KERAS_OPTIMIZER_CLASSES[name]
    np.testing.assert_allclose(model.predict(reference["x"], verbose=0),
                               reference[f"{name}/prediction"], rtol=1e-5, atol=1e-6)
    variables = model.optimizer.get_weights()
    expected = [reference[key] for key in sorted(
        (k for k in reference.files if k.startswith(f"{name}/variables/")),
        key=lambda k: int(k.rsplit("/", 1)[1]))]
    assert len(variables) == len(expected)
    for j, (value, want) in enumerate(zip(variables, expected)):
        np.testing.assert_allclose(value, want, rtol=1e-6, err_msg=str(j))
