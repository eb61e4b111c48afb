"""The optimizer base class: Keras' `Optimizer` API, updates as `torch._foreach_*` ops.

Every step runs on device tensors only: the step counter `iterations`, the learning rate
and all slots are tensors, so `apply` never reads the host and can be captured in a CUDA
graph or traced by `torch.compile`.

Example:
    >>> import torch, lamina
    >>> w = torch.nn.Parameter(torch.ones(3))
    >>> opt = lamina.optimizers.SGD(learning_rate=0.1)
    >>> opt.apply([torch.full((3,), 0.5)], [w])
    >>> w.detach()
    tensor([0.9500, 0.9500, 0.9500])
"""
from __future__ import annotations

import inspect
import numbers
import re
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import torch

from lamina import backend
from lamina.optimizers import schedules
from lamina.saving import object_registration
from lamina.utils.errors import did_you_mean
from lamina.utils.naming import to_snake_case, unique_name
from lamina.variables import Variable

__all__ = ["Optimizer"]

# Keys written by Keras 2 / TF-2 optimizers that carry no meaning here.
_LEGACY_CONFIG_KEYS = ("is_legacy_optimizer", "jit_compile")
_LEARNING_RATE_ERROR = (
    "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
    "or a callable (that takes in the current iteration value and returns the "
    "corresponding learning rate value). Received instead: learning_rate={!r}")


class Optimizer:
    """Base class of all optimizers: clipping, weight decay, EMA, accumulation and config.

    Subclasses create their slots in `build` with `add_optimizer_variables` and implement
    `_update_step(grads, variables, learning_rate, slots)` as one multi-tensor update.
    A Keras-style subclass may instead implement `update_step(gradient, variable,
    learning_rate)` per variable with `self.assign*`, as in Keras.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a callable with no arguments.
            TF-2 code may pass `lr=` instead.
        weight_decay: If set, `w -= learning_rate * weight_decay * w` before each update.
        clipnorm: Clips each gradient to this L2 norm.
        clipvalue: Clips each gradient element to `[-clipvalue, clipvalue]`.
        global_clipnorm: Clips all gradients together to this global L2 norm.
        use_ema: Keep an exponential moving average of the weights.
        ema_momentum: Momentum of that average.
        ema_overwrite_frequency: Every this many steps, copy the average into the weights.
        loss_scale_factor: Gradients are divided by it (see `scale_loss`).
        gradient_accumulation_steps: Update only every this many steps, with the mean
            gradient of those steps.
        name: Name of the optimizer.

    Example:
        >>> import torch, lamina
        >>> opt = lamina.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0)
        >>> opt.build([torch.nn.Parameter(torch.zeros(2, 3))])
        >>> opt.count_params()
        14
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:  # TF-2 spelling
            learning_rate = kwargs.pop("lr")
            warnings.warn(f"Argument `lr` is the TF-2 spelling of `learning_rate`: lamina reads "
                          f"lr={learning_rate!r} as learning_rate={learning_rate!r}, but Keras 3 "
                          f"refuses `lr`. Write learning_rate={learning_rate!r}.", stacklevel=3)
        if (decay := kwargs.pop("decay", None)) is not None:
            # Keras 3 ignores TF-2's `decay` (with this warning): so does lamina, so that the
            # same program trains to the same numbers. The warning names the schedule that
            # computes TF-2's lr / (1 + decay * t).
            warnings.warn(f"Argument `decay` is no longer supported and will be ignored. For "
                          f"TF-2's decaying learning rate, pass learning_rate=keras.optimizers."
                          f"schedules.InverseTimeDecay(initial_learning_rate, decay_steps=1, "
                          f"decay_rate={decay!r}).", stacklevel=3)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}."
                             f"{did_you_mean(next(iter(kwargs)), self._argument_names())}")
        _check_base_arguments(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                              ema_overwrite_frequency, gradient_accumulation_steps)
        self.name = name if name is not None else unique_name(to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        device = backend.get_device()
        self._iterations = Variable(torch.zeros((), dtype=torch.int32), trainable=False,
                                    name="iteration", device=device)
        self._iterations.path = f"{self.name}/iteration"
        self._learning_rate = _as_learning_rate(learning_rate, device, self.name)
        self._trainable_variables: list = []
        self._variable_ids: tuple = ()
        self._index_by_id: dict = {}
        self._tracked: list[torch.Tensor] = []
        self._slots: dict[str, list[torch.Tensor]] = {}
        self._step_state: list[torch.Tensor] = []
        self._excluded_ids: set = set()
        self._excluded_pattern = None
        self._decay_variables = None
        self._constants: dict = {}

    # ----------------------------------------------------------------- state
    @property
    def iterations(self) -> torch.Tensor:
        """The step counter: a 0-dim int32 `Variable`, as Keras' (int32 off TensorFlow), on the
        variables' device."""
        if self.gradient_accumulation_steps:
            return torch.div(self._iterations, self.gradient_accumulation_steps,
                             rounding_mode="floor")
        return self._iterations

    @property
    def learning_rate(self):
        """The current learning rate: the float32 variable, or the schedule's value now."""
        if isinstance(self._learning_rate, torch.Tensor):
            return self._learning_rate
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return self._learning_rate(self._iterations)
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, schedules.LearningRateSchedule) or _is_plain_callable(value):
            self._learning_rate = value
        elif isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument.")
        elif isinstance(self._learning_rate, torch.Tensor):
            # In place, so a captured CUDA graph sees the new value.
            if isinstance(value, torch.Tensor):
                self._learning_rate.copy_(value.detach().reshape(()))
            else:
                self._learning_rate.fill_(_as_float(value))
        else:
            self._learning_rate = _as_learning_rate(value, self._iterations.device)

    lr = learning_rate  # TF-2 name: `optimizer.lr`

    @property
    def variables(self) -> list[torch.Tensor]:
        """Keras order: iterations, learning rate (unless a schedule), then the slots."""
        head = [self._iterations]
        if isinstance(self._learning_rate, torch.Tensor):
            head.append(self._learning_rate)
        return head + self._tracked

    def count_params(self) -> int:
        """Number of scalars in `variables`."""
        return sum(v.numel() for v in self.variables)

    # ----------------------------------------------------------------- build
    def build(self, variables: Sequence[torch.nn.Parameter]) -> None:
        """Creates the slots (EMA averages, gradient accumulators) for `variables`.

        Subclasses call `super().build(variables)` first, then add their own slots.
        """
        variables = list(variables)
        if variables:
            self._move_to(variables[0].device)
        self._trainable_variables = variables
        self._variable_ids = tuple(map(id, variables))
        self._index_by_id = {key: i for i, key in enumerate(self._variable_ids)}
        names = (["average"] if self.use_ema else []) + (
            ["gradient_accumulator"] if self.gradient_accumulation_steps else [])
        if names:
            self.add_optimizer_variables(variables, names)
        self.built = True

    def __setstate__(self, state: dict) -> None:
        # copy.deepcopy(model) and torch.load give the variables new identities: re-key by them.
        self.__dict__.update(state)
        variables = state.get("_trainable_variables") or []
        self._variable_ids = tuple(map(id, variables))
        self._index_by_id = {key: i for i, key in enumerate(self._variable_ids)}
        self._excluded_ids = {id(v) for v in state.get("_excluded_variables", ())}

    def _move_to(self, device: torch.device) -> None:
        counter = self._iterations
        if counter.device != device:
            self._iterations = Variable.wrap(counter.to(device), False, "iteration",
                                             getattr(counter, "path", "iteration"))
        rate = self._learning_rate
        if isinstance(rate, torch.Tensor) and rate.device != device:
            self._learning_rate = Variable.wrap(rate.to(device), False, "learning_rate",
                                                getattr(rate, "path", "learning_rate"))

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None) -> torch.Tensor:
        """Creates and tracks one optimizer variable (not tied to a model variable)."""
        device = self._iterations.device
        dtype = backend.torch_dtype(dtype)
        if callable(initializer) and not isinstance(initializer, str):
            value = backend.to_tensor(initializer(tuple(shape), dtype=dtype), dtype, device)
        else:
            value = torch.full(tuple(shape), _fill_value(initializer), dtype=dtype, device=device)
        return self._track(value)

    def add_variable_from_reference(self, reference_variable, name=None,
                                    initializer="zeros") -> torch.Tensor:
        """Creates and tracks a slot with the shape, dtype, device and layout of a weight."""
        if callable(initializer) and not isinstance(initializer, str):
            value = backend.to_tensor(initializer(tuple(reference_variable.shape),
                                                  dtype=reference_variable.dtype),
                                      reference_variable.dtype, reference_variable.device)
        else:
            value = torch.full_like(reference_variable, _fill_value(initializer),
                                    requires_grad=False)
        return self._track(value.detach())

    def add_optimizer_variables(self, variables, name, initializer="zeros"):
        """Adds one slot per variable for each name, interleaved per variable as Keras does.

        Args:
            variables: The model variables.
            name: A slot name ('momentum') or a list of names (['momentum', 'velocity']).
            initializer: 'zeros', 'ones', a number, or a list of those (one per name).

        Returns:
            The list of slots for a single name, else a tuple of lists.
        """
        names = [name] if isinstance(name, str) else list(name)
        initializers = (list(initializer) if isinstance(initializer, (list, tuple))
                        else [initializer] * len(names))
        if len(initializers) != len(names):
            raise ValueError(f"The number of provided names must match the number of provided "
                             f"initializers. Received name={name!r}, initializer={initializer!r}")
        groups = tuple([] for _ in names)
        for variable in variables:
            for group, slot_name, init in zip(groups, names, initializers):
                group.append(self.add_variable_from_reference(variable, slot_name, init))
        for slot_name, group in zip(names, groups):
            self._slots[slot_name] = group
        return groups[0] if isinstance(name, str) else groups

    def _track(self, tensor: torch.Tensor) -> torch.Tensor:
        self._tracked.append(tensor)
        return tensor

    def _get_variable_index(self, variable) -> int:
        return self._index_by_id[id(variable)]

    # ----------------------------------------------------------------- apply
    def apply_gradients(self, grads_and_vars: Iterable) -> torch.Tensor:
        """Keras' `apply_gradients(zip(grads, vars))`; returns `iterations`."""
        grads, variables = zip(*grads_and_vars)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads: Sequence[torch.Tensor], trainable_variables=None) -> None:
        """Clips, decays and updates the variables in place, then `iterations += 1`.

        Args:
            grads: One gradient per variable (None entries are skipped with a warning).
            trainable_variables: The variables; may be omitted once the optimizer is built.
                The first call builds the optimizer.
        """
        if len(grads) == 0:
            return
        grads, variables, slots = self._resolve(list(grads), trainable_variables)
        with torch.no_grad():
            if self.loss_scale_factor is not None:
                grads = torch._foreach_div(grads, self.loss_scale_factor)
            if self.gradient_accumulation_steps:
                self._accumulate_or_update(grads, variables, slots)
            else:
                self._clip_decay_update(grads, variables, slots)
            if self.use_ema:
                self._update_moving_averages()
            self._iterations.add_(1)

    def _resolve(self, grads, variables):
        if variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            variables = self._trainable_variables
        else:
            variables = variables if isinstance(variables, list) else list(variables)
            if not self.built:
                self.build(variables)
        if len(grads) != len(variables):
            raise ValueError(f"Expected one gradient per variable, but received {len(grads)} "
                             f"gradients for {len(variables)} variables.")
        if any(g is None for g in grads):
            grads, variables = _drop_missing_gradients(grads, variables)
        if (variables is self._trainable_variables
                or tuple(map(id, variables)) == self._variable_ids):
            return grads, self._trainable_variables, self._slots
        indices = [self._index_of(v) for v in variables]
        slots = {name: [group[i] for i in indices] for name, group in self._slots.items()}
        return grads, variables, slots

    def _index_of(self, variable) -> int:
        index = self._index_by_id.get(id(variable))
        if index is None:
            path = getattr(variable, "path", None)
            raise ValueError(
                f"Unknown variable{f' {path!r}' if path else ''} of shape "
                f"{tuple(variable.shape)}. This optimizer can only be called for the variables it "
                "was originally built with. When working with a new set of variables, you should "
                "recreate a new optimizer instance. (After setting `trainable` on layers of a "
                "compiled model, as when fine-tuning, call `model.compile(...)` again.)")
        return index

    def _clip_decay_update(self, grads, variables, slots) -> None:
        learning_rate = self._step_learning_rate()
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables, learning_rate)
        self._update_step(grads, variables, learning_rate, slots)

    def _step_learning_rate(self) -> torch.Tensor:
        learning_rate = self.learning_rate
        if not isinstance(learning_rate, torch.Tensor):
            learning_rate = torch.tensor(float(learning_rate), device=self._iterations.device)
        return learning_rate

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        """Updates all `variables` at once; the default calls Keras' per-variable hook."""
        for gradient, variable in zip(grads, variables):
            self.update_step(gradient, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Keras' per-variable hook, for subclasses written the Keras way."""
        raise NotImplementedError(f"{type(self).__name__} must implement `_update_step` "
                                  "(all variables) or `update_step` (one variable).")

    def assign(self, variable, value) -> None:
        """`variable[...] = value`, in place."""
        variable.copy_(value)

    def assign_add(self, variable, value) -> None:
        """`variable += value`, in place."""
        variable.add_(value)

    def assign_sub(self, variable, value) -> None:
        """`variable -= value`, in place."""
        variable.sub_(value)

    def _local_step(self) -> torch.Tensor:
        """The 1-based step `t` of bias corrections, as a float32 device tensor."""
        return self.iterations.to(torch.float32) + 1.0

    def _bias_corrections(self, *betas: float) -> torch.Tensor:
        """`1 - beta**t` for each beta, as one float32 device tensor (t = step from 1)."""
        # One pow over a cached tensor of betas: fewer tiny ops per step than one per beta.
        return torch.pow(self._constant(betas), self.iterations + 1).neg_().add_(1.0)

    def _constant(self, values: tuple) -> torch.Tensor:
        """`values` as a float32 tensor on the step counter's device, created once."""
        table = self._constants.get(values)
        if table is None or table.device != self._iterations.device:
            table = torch.tensor(values, dtype=torch.float32, device=self._iterations.device)
            self._constants[values] = table
        return table

    # ------------------------------------------------- clipping, weight decay
    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return _clip_each_by_norm(grads, self.clipnorm)
        if self.global_clipnorm and self.global_clipnorm > 0:
            return _clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            clipped = torch._foreach_clamp_min(grads, -self.clipvalue)
            torch._foreach_clamp_max_(clipped, self.clipvalue)
            return clipped
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Excludes variables (or those whose name contains one of `var_names`) from decay."""
        self._excluded_variables = list(var_list or ())
        self._excluded_ids = {id(v) for v in self._excluded_variables}
        self._excluded_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._decay_variables = None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._excluded_ids:
            return False
        if self._excluded_pattern is not None:
            name = getattr(variable, "name", None) or getattr(variable, "path", None) or ""
            return self._excluded_pattern.search(str(name)) is None
        return True

    def _apply_weight_decay(self, variables, learning_rate) -> None:
        if self.weight_decay is None:
            return
        if variables is self._trainable_variables:
            if self._decay_variables is None:
                self._decay_variables = [v for v in variables if self._use_weight_decay(v)]
            decayed = self._decay_variables
        else:
            decayed = [v for v in variables if self._use_weight_decay(v)]
        if decayed:
            torch._foreach_mul_(decayed, 1.0 - learning_rate * self.weight_decay)

    # ------------------------------------------- accumulation, moving average
    def _accumulate_or_update(self, grads, variables, slots) -> None:
        # Both branches run and the result is chosen on the device, so that no host
        # read decides whether this step updates (keeps the step capturable).
        steps = self.gradient_accumulation_steps
        is_update = torch.remainder(self._iterations + 1, steps) == 0
        accumulators = slots["gradient_accumulator"]
        torch._foreach_add_(accumulators, grads)
        mean_grads = torch._foreach_div(accumulators, steps)
        skip = {"gradient_accumulator", "average"}
        state = list(variables) + [t for name, group in slots.items() if name not in skip
                                   for t in group] + self._step_state
        saved = [t.clone() for t in state]
        self._clip_decay_update(mean_grads, variables, slots)
        for tensor, old in zip(state, saved):
            tensor.copy_(torch.where(is_update, tensor, old))
        for accumulator in accumulators:
            accumulator.masked_fill_(is_update, 0)

    def _update_moving_averages(self) -> None:
        iterations = self.iterations
        weight = torch.where(iterations != 0, 1.0 - self.ema_momentum, 1.0)
        averages = self._slots["average"]
        # average += weight * (variable - average); foreach lerp with a tensor weight
        # would read the weight on the host.
        steps = torch._foreach_sub(self._trainable_variables, averages)
        torch._foreach_mul_(steps, weight)
        torch._foreach_add_(averages, steps)
        if self.ema_overwrite_frequency:
            overwrite = torch.remainder(iterations + 1, self.ema_overwrite_frequency) == 0
            for variable, average in zip(self._trainable_variables, averages):
                variable.copy_(torch.where(overwrite, average, variable))

    def finalize_variable_values(self, var_list) -> None:
        """With `use_ema`, copies the moving averages into the variables (end of `fit`)."""
        if not self.use_ema or "average" not in self._slots:
            return
        averages = self._slots["average"]
        with torch.no_grad():
            for variable in var_list:
                index = self._index_by_id.get(id(variable))
                if index is not None:  # matched by identity: the model's order may differ
                    variable.copy_(averages[index])

    def scale_loss(self, loss):
        """Multiplies the loss by `loss_scale_factor` (if set) before the backward pass."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    # ------------------------------------------------------- weights, config
    def set_weights(self, weights) -> None:
        """Copies arrays into `variables`, in place (shapes must match)."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet "
                             "been built. Please call `optimizer.build(trainable_variables)` "
                             "to create the optimizer weights before calling `set_weights()`.")
        with torch.no_grad():
            for index, (variable, weight) in enumerate(zip(self.variables, weights)):
                value = torch.as_tensor(np.asarray(weight))
                if tuple(value.shape) != tuple(variable.shape):
                    raise ValueError(f"Optimizer variable {index} has shape "
                                     f"{tuple(variable.shape)} not compatible with provided "
                                     f"weight shape {tuple(value.shape)}.")
                variable.copy_(value)

    def get_weights(self) -> list[np.ndarray]:
        """The `variables` as NumPy arrays."""
        return [backend.to_numpy(v) for v in self.variables]

    def save_own_variables(self, store) -> None:
        """Writes `variables` into `store['0']`, `store['1']`, ... (the .keras layout)."""
        for index, variable in enumerate(self.variables):
            store[str(index)] = backend.to_numpy(variable)

    def load_own_variables(self, store) -> None:
        """Reads `variables` from `store`; warns and skips when the counts differ."""
        if len(store.keys()) != len(self.variables):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it "
                          f"has {len(self.variables)} variables whereas the saved optimizer "
                          f"has {len(store.keys())} variables.", stacklevel=2)
            return
        self.set_weights([store[str(i)] for i in range(len(self.variables))])

    def get_config(self) -> dict:
        """The constructor arguments, as Keras writes them (learning rate as a float)."""
        config = {
            "name": self.name,
            "learning_rate": self._learning_rate_config(),
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        return config

    def _learning_rate_config(self):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return schedules.serialize(self._learning_rate)
        if isinstance(self._learning_rate, torch.Tensor):
            return float(self._learning_rate)
        if callable(self._learning_rate):  # a plain function of the step, as Keras writes one
            return {"module": "builtins", "class_name": "function", "registered_name": "function",
                    "config": object_registration.get_registered_name(self._learning_rate)}
        return self._learning_rate

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "Optimizer":
        """Creates an optimizer from `get_config()` output (Keras 3, Keras 2 or TF-2)."""
        config = {k: v for k, v in config.items() if k not in _LEGACY_CONFIG_KEYS}
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects=custom_objects)
        return cls(**config)

    @classmethod
    def _argument_names(cls) -> list[str]:
        names = {"lr", "decay"}
        for klass in cls.__mro__:
            if "__init__" in vars(klass):
                names.update(p for p in inspect.signature(klass.__init__).parameters
                             if p not in ("self", "kwargs"))
        return sorted(names)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def _check_base_arguments(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                          ema_overwrite_frequency, gradient_accumulation_steps) -> None:
    if gradient_accumulation_steps is not None and not (
            isinstance(gradient_accumulation_steps, int) and gradient_accumulation_steps >= 2):
        raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                         f"gradient_accumulation_steps={gradient_accumulation_steps}")
    if use_ema and not 0 <= ema_momentum <= 1:
        raise ValueError(f"`ema_momentum` must be in the range [0, 1]. "
                         f"Received: ema_momentum={ema_momentum}")
    if use_ema and ema_overwrite_frequency and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
        raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                         f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                         f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                         f"global_clipnorm={global_clipnorm}")


def _is_plain_callable(value) -> bool:
    return callable(value) and not isinstance(value, (torch.Tensor, np.ndarray, np.generic))


def _as_float(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.ndarray, torch.Tensor)):
        raise ValueError(_LEARNING_RATE_ERROR.format(value))
    rate = float(value)
    if not rate >= 0 or rate == float("inf"):  # `not >=` also refuses NaN
        raise ValueError(f"Argument `learning_rate` must be a finite number >= 0, e.g. "
                         f"learning_rate=0.001: a negative rate climbs the loss instead of descending "
                         f"it. Received: learning_rate={value!r}")
    return rate


def _as_learning_rate(value, device, optimizer_name: str):
    """A schedule or callable as is; a number as a 0-dim float32 `Variable`, as in Keras
    (`optimizer.learning_rate.assign(1e-4)` is how Keras code changes it)."""
    if isinstance(value, schedules.LearningRateSchedule) or _is_plain_callable(value):
        return value
    rate = Variable(torch.tensor(_as_float(value), dtype=torch.float32), trainable=False,
                    name="learning_rate", device=device)
    rate.path = f"{optimizer_name}/learning_rate"
    return rate


def _fill_value(initializer) -> float:
    if isinstance(initializer, str):
        constants = {"zeros": 0.0, "ones": 1.0}
        if initializer not in constants:
            raise ValueError(f"Unknown slot initializer: {initializer!r}. Expected 'zeros', "
                             "'ones', a number or a callable `(shape, dtype) -> array`.")
        return constants[initializer]
    return float(initializer)


def _drop_missing_gradients(grads, variables):
    kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
    if not kept:
        raise ValueError("No gradients provided for any variable.")
    missing = [getattr(v, "name", None) or f"variable {i} {tuple(v.shape)}"
               for i, (g, v) in enumerate(zip(grads, variables)) if g is None]
    warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. "
                  "If using `model.compile()`, did you forget to provide a `loss` argument?",
                  stacklevel=3)
    return [g for g, _ in kept], [v for _, v in kept]


def _clip_each_by_norm(grads, clipnorm: float):
    """Each gradient scaled by `clipnorm / max(norm, clipnorm)`."""
    factors = torch._foreach_norm(grads)
    torch._foreach_maximum_(factors, clipnorm)
    torch._foreach_reciprocal_(factors)
    torch._foreach_mul_(factors, clipnorm)
    return torch._foreach_mul(grads, factors)


def _clip_by_global_norm(grads, clipnorm: float):
    """All gradients scaled by `clipnorm / max(global_norm, clipnorm)`; NaN if not finite."""
    norms = torch._foreach_norm(grads)
    total = torch.linalg.vector_norm(torch.stack([n.to(torch.float32) for n in norms]))
    scale = total.reciprocal().clamp_max(1.0 / clipnorm).mul(clipnorm) + (total - total)
    return torch._foreach_mul(grads, scale)
