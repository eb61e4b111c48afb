"""Learning-rate schedules vs their formulas (float64 NumPy), config round trips."""
import math

import numpy as np
import pytest
import torch

from lamina.optimizers import schedules

STEPS = [0, 1, 5, 10, 15, 99, 100, 150, 1000]


def _cosine_restarts(step, lr, first, t_mul, m_mul, alpha):
    fraction = step / first
    if t_mul == 1.0:
        restart = math.floor(fraction)
        fraction -= restart
    else:
        restart = math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
        completed = (1 - t_mul ** restart) / (1 - t_mul)
        fraction = (fraction - completed) / t_mul ** restart
    cosine = 0.5 * m_mul ** restart * (1 + math.cos(math.pi * fraction))
    return lr * ((1 - alpha) * cosine + alpha)


def _cosine(step, lr, decay_steps, alpha, warmup_target=None, warmup_steps=0):
    if warmup_target is None:
        step = min(step, decay_steps)
        return lr * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return (warmup_target - lr) * step / warmup_steps + lr
    return _cosine(step - warmup_steps, warmup_target, decay_steps, alpha)


def _polynomial(step, lr, decay_steps, end, power, cycle):
    if cycle:
        decay_steps = decay_steps * (1 if step == 0 else math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (lr - end) * (1 - step / decay_steps) ** power + end


CASES = [
    (schedules.ExponentialDecay(0.1, 10, 0.9), lambda s: 0.1 * 0.9 ** (s / 10)),
    (schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True),
     lambda s: 0.1 * 0.9 ** math.floor(s / 10)),
    (schedules.InverseTimeDecay(0.1, 10, 0.5), lambda s: 0.1 / (1 + 0.5 * s / 10)),
    (schedules.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
     lambda s: 0.1 / (1 + 0.5 * math.floor(s / 10))),
    (schedules.PolynomialDecay(0.1, 100), lambda s: _polynomial(s, 0.1, 100, 1e-4, 1.0, False)),
    (schedules.PolynomialDecay(0.1, 100, 0.01, power=0.5, cycle=True),
     lambda s: _polynomial(s, 0.1, 100, 0.01, 0.5, True)),
    (schedules.CosineDecay(0.1, 100, alpha=0.1), lambda s: _cosine(s, 0.1, 100, 0.1)),
    (schedules.CosineDecay(0.0, 100, warmup_target=0.2, warmup_steps=10),
     lambda s: _cosine(s, 0.0, 100, 0.0, 0.2, 10)),
    (schedules.CosineDecayRestarts(0.1, 7), lambda s: _cosine_restarts(s, 0.1, 7, 2.0, 1.0, 0.0)),
    (schedules.CosineDecayRestarts(0.1, 7, t_mul=1.0, m_mul=0.5, alpha=0.1),
     lambda s: _cosine_restarts(s, 0.1, 7, 1.0, 0.5, 0.1)),
    (schedules.PiecewiseConstantDecay([10, 100], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 10 else 0.5 if s <= 100 else 0.1),
]


@pytest.mark.parametrize("schedule, formula", CASES,
                         ids=[type(s).__name__ + str(i) for i, (s, _) in enumerate(CASES)])
def test_schedule_matches_formula(schedule, formula):
    for step in STEPS:
        value = schedule(torch.tensor(step, dtype=torch.int64))
        assert isinstance(value, torch.Tensor) and value.dtype == torch.float32
        assert value.item() == pytest.approx(formula(step), rel=1e-5, abs=1e-7), step


def test_schedule_accepts_python_ints():
    assert schedules.ExponentialDecay(1.0, 1, 0.5)(3).item() == pytest.approx(0.125)


@pytest.mark.parametrize("schedule", [s for s, _ in CASES])
def test_config_round_trip(schedule):
    data = schedules.serialize(schedule)
    assert data["module"] == "keras.optimizers.schedules"
    assert data["class_name"] == type(schedule).__name__ and data["registered_name"] is None
    clone = schedules.deserialize(data)
    assert type(clone) is type(schedule) and clone.get_config() == schedule.get_config()
    for step in (0, 13, 200):
        assert clone(step).item() == schedule(step).item()


def test_keras_names_and_defaults():
    assert schedules.CosineDecayRestarts(0.1, 5).get_config() == {
        "initial_learning_rate": 0.1, "first_decay_steps": 5, "t_mul": 2.0, "m_mul": 1.0,
        "alpha": 0.0, "name": "SGDRDecay"}
    assert schedules.PiecewiseConstantDecay([1], [1.0, 0.5]).name == "PiecewiseConstant"


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "Argument `decay_steps` must be > 0"),
    (lambda: schedules.CosineDecayRestarts(0.1, -1), "Argument `first_decay_steps` must be > 0"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [1.0]),
     "length of boundaries should be 1 less than the length of values"),
])
def test_invalid_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_deserialize_unknown_class_suggests():
    with pytest.raises(ValueError, match="Did you mean 'ExponentialDecay'"):
        schedules.deserialize({"class_name": "ExponentalDecay", "config": {}})


def test_custom_schedule_must_implement_call():
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        schedules.LearningRateSchedule()(0)


def test_piecewise_follows_keras_boundaries():
    schedule = schedules.PiecewiseConstantDecay([2, 4], [3.0, 2.0, 1.0])
    got = [schedule(torch.tensor(s)).item() for s in range(6)]
    np.testing.assert_array_equal(got, [3.0, 3.0, 3.0, 2.0, 2.0, 1.0])
