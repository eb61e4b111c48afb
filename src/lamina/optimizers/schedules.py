"""Learning-rate schedules: Keras' formulas, computed with torch ops from the step tensor.

A schedule is called with the optimizer's on-device `iterations` and returns a 0-dim
float32 tensor on the same device, so reading it never synchronises with the host.

Example:
    >>> import torch, lamina
    >>> schedule = lamina.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> schedule(torch.tensor(10))
    tensor(0.0500)
"""
from __future__ import annotations

import math

import torch

from lamina.saving import object_registration
from lamina.utils.errors import unknown_name_error

__all__ = [
    "LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
    "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts", "serialize", "deserialize",
]


class LearningRateSchedule:
    """Base class of learning-rate schedules: `schedule(step) -> learning rate`.

    Subclasses implement `__call__(step)` with torch ops (no `.item()`) and `get_config`.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __call__(self, step):
        ...         return 0.1 * 0.5 ** _float_step(step)
        ...     def get_config(self):
        ...         return {}
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        """Creates a schedule from `get_config()` output."""
        return cls(**config)


def _float_step(step) -> torch.Tensor:
    """The step as a float32 tensor, kept on its device."""
    if not isinstance(step, torch.Tensor):
        step = torch.tensor(step)
    return step.to(torch.float32)


def _check_positive(value, argument: str) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{argument}` must be > 0. Received: {argument}={value}")


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Steps per decay period (> 0).
        decay_rate: Factor applied per period.
        staircase: Decay at whole periods only (`floor(step / decay_steps)`).
        name: Name of the schedule.

    Example:
        >>> ExponentialDecay(0.1, 100, 0.96, staircase=True)(torch.tensor(150))
        tensor(0.0960)
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive(decay_steps, "decay_steps")

    def __call__(self, step):
        p = _float_step(step) / float(self.decay_steps)
        if self.staircase:
            p = torch.floor(p)
        return self.initial_learning_rate * torch.pow(float(self.decay_rate), p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[i]` for `boundaries[i-1] < step <= boundaries[i]`.

    Args:
        boundaries: Strictly increasing step numbers.
        values: One more value than boundaries.
        name: Name of the schedule.

    Example:
        >>> PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])(torch.tensor(150))
        tensor(0.5000)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name
        self._tables: dict = {}

    def __call__(self, step):
        step = step if isinstance(step, torch.Tensor) else torch.tensor(step)
        boundaries, values = self._table(step.device, step.dtype)
        return torch.take(values, torch.bucketize(step, boundaries))

    def _table(self, device, dtype):
        # Built once per device: creating tensors from lists each step would copy
        # from the host, which a CUDA graph cannot capture.
        key = (device, dtype)
        if key not in self._tables:
            # As Keras: boundaries take the step's dtype (1000.5 -> 1000 for integer steps).
            self._tables[key] = (
                torch.tensor(self.boundaries, device=device).to(dtype),
                torch.tensor(self.values, dtype=torch.float32, device=device))
        return self._tables[key]

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From `initial_learning_rate` to `end_learning_rate` as `(1 - step/decay_steps) ** power`.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Steps to reach `end_learning_rate` (> 0).
        end_learning_rate: The final learning rate.
        power: Power of the polynomial.
        cycle: Restart with the next multiple of `decay_steps` instead of staying at the end.
        name: Name of the schedule.

    Example:
        >>> PolynomialDecay(0.1, 10, end_learning_rate=0.0)(torch.tensor(5))
        tensor(0.0500)
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_positive(decay_steps, "decay_steps")

    def __call__(self, step):
        step = _float_step(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiplier = torch.where(step == 0, 1.0, torch.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = torch.clamp_max(step, decay_steps)
        p = step / decay_steps
        span = self.initial_learning_rate - self.end_learning_rate
        return span * torch.pow(1.0 - p, float(self.power)) + self.end_learning_rate

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Steps per decay unit (> 0).
        decay_rate: The decay rate.
        staircase: Use `floor(step / decay_steps)`.
        name: Name of the schedule.

    Example:
        >>> InverseTimeDecay(0.1, 1, 0.5)(torch.tensor(2))
        tensor(0.0500)
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive(decay_steps, "decay_steps")

    def __call__(self, step):
        p = _float_step(step) / float(self.decay_steps)
        if self.staircase:
            p = torch.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup to `warmup_target`, then cosine decay to `alpha` of it.

    Args:
        initial_learning_rate: The learning rate at step 0.
        decay_steps: Steps of the cosine decay (> 0).
        alpha: Final learning rate as a fraction of the decay's starting value.
        name: Name of the schedule.
        warmup_target: Learning rate reached after warmup; None skips warmup.
        warmup_steps: Steps of the linear warmup.

    Example:
        >>> CosineDecay(0.1, 100)(torch.tensor(50))
        tensor(0.0500)
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_positive(decay_steps, "decay_steps")

    def _decayed(self, step, decay_from):
        cosine = 0.5 * (1.0 + torch.cos(math.pi * (step / float(self.decay_steps))))
        return decay_from * ((1.0 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = _float_step(step)
        if self.warmup_target is None:
            step = torch.clamp_max(step, float(self.decay_steps))
            return self._decayed(step, self.initial_learning_rate)
        warmup_steps = float(self.warmup_steps)
        step = torch.clamp_max(step, float(self.decay_steps) + warmup_steps)
        delta = self.warmup_target - self.initial_learning_rate
        warmup = delta * (step / warmup_steps) + self.initial_learning_rate
        decayed = self._decayed(step - warmup_steps, self.warmup_target)
        return torch.where(step < warmup_steps, warmup, decayed)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by `t_mul`, peaks by `m_mul`.

    Args:
        initial_learning_rate: The learning rate at step 0.
        first_decay_steps: Steps of the first period (> 0).
        t_mul: Each period is `t_mul` times longer than the previous one.
        m_mul: Each restart starts at `m_mul` times the previous peak.
        alpha: Minimum learning rate as a fraction of `initial_learning_rate`.
        name: Name of the schedule.

    Example:
        >>> CosineDecayRestarts(0.1, 10)(torch.tensor(5))
        tensor(0.0500)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_positive(first_decay_steps, "first_decay_steps")

    def __call__(self, step):
        fraction = _float_step(step) / float(self.first_decay_steps)
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            restart = torch.floor(fraction)
            fraction = fraction - restart
        else:
            restart = torch.floor(torch.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            completed = (1.0 - torch.pow(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - completed) / torch.pow(t_mul, restart)
        peak = torch.pow(float(self._m_mul), restart)
        cosine = 0.5 * peak * (1.0 + torch.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_BUILT_IN = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
    CosineDecayRestarts)}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict:
    """Keras' dict form: `{'module', 'class_name', 'config', 'registered_name'}`.

    Example:
        >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
        'ExponentialDecay'
    """
    cls = type(learning_rate_schedule)
    if _BUILT_IN.get(cls.__name__) is cls:
        return {"module": "keras.optimizers.schedules", "class_name": cls.__name__,
                "config": learning_rate_schedule.get_config(), "registered_name": None}
    # A user's schedule, in Keras' form: no module, the name it is registered under
    # ('package>Name', else its own), which the registry or custom_objects resolve.
    return {"module": None, "class_name": cls.__name__,
            "config": learning_rate_schedule.get_config(),
            "registered_name": object_registration.get_registered_name(cls)}


def deserialize(config: dict, custom_objects=None) -> LearningRateSchedule:
    """Creates a schedule from `serialize()` output (or a TF-2 `{'class_name', 'config'}`).

    Example:
        >>> deserialize({"class_name": "InverseTimeDecay",
        ...              "config": {"initial_learning_rate": 0.1, "decay_steps": 1,
        ...                         "decay_rate": 0.5}}).decay_rate
        0.5
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Expected a learning rate schedule config dict with keys "
                         f"'class_name' and 'config'. Received: {config!r}")
    if config.get("class_name") == "function":  # a plain function given as the learning rate
        function = object_registration.get_registered_object(config.get("config"), custom_objects)
        if function is None:
            raise unknown_name_error("learning rate function", config.get("config"), [])
        return function
    cls = None
    for name in (config.get("registered_name"), config["class_name"]):
        cls = cls or _BUILT_IN.get(name) or object_registration.get_registered_object(
            name, custom_objects)
    if cls is None:
        raise unknown_name_error("learning rate schedule", config["class_name"], _BUILT_IN)
    return cls.from_config(dict(config.get("config", {})))
