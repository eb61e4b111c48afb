"""`LossScaleOptimizer`: dynamic loss scaling for float16 training, Keras' rules on the device.

The train step multiplies the loss by the scale (`scale_loss`) before the backward pass, so
small float16 gradients do not flush to zero; `apply` divides the gradients by the scale and
hands them to the inner optimizer. When a gradient is inf or NaN the step is skipped and the
scale halved; after `dynamic_growth_steps` finite steps in a row the scale doubles. The
decision is made with `torch.where` on device tensors, never read on the host, so the step
stays capturable in a CUDA graph and traceable by `torch.compile`.

Example:
    >>> import torch, lamina
    >>> w = torch.nn.Parameter(torch.ones(2))
    >>> opt = LossScaleOptimizer(lamina.optimizers.SGD(0.1), initial_scale=8.0)
    >>> opt.apply([torch.full((2,), 8.0)], [w])    # unscaled gradient 1.0
    >>> w.detach(), float(opt.dynamic_scale)
    (tensor([0.9000, 0.9000]), 8.0)
    >>> opt.apply([torch.tensor([float("inf"), 1.0])], [w])   # skipped, scale halved
    >>> w.detach(), float(opt.dynamic_scale)
    (tensor([0.9000, 0.9000]), 4.0)
"""
from __future__ import annotations

import math
import numbers

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["LossScaleOptimizer"]

# Base-optimizer arguments Keras' LossScaleOptimizer used to write into its config; they are
# accepted at their defaults so that older configs load, and refused otherwise.
_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                  "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wraps an optimizer and scales the loss dynamically to keep float16 gradients alive.

    Args:
        inner_optimizer: the optimizer to wrap (an instance, e.g. `keras.optimizers.Adam()`).
        initial_scale: the first loss scale; high is better (too high is lowered in a few
            steps, too low is raised only every `dynamic_growth_steps`).
        dynamic_growth_steps: double the scale after this many steps with finite gradients.
        name: the optimizer's name.

    Example:
        >>> opt = LossScaleOptimizer(lamina.optimizers.Adam())
        >>> opt.initial_scale, opt.dynamic_growth_steps
        (32768.0, 2000)
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        _check_arguments(inner_optimizer, initial_scale, dynamic_growth_steps, kwargs)
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The loss is scaled here; scaling it again in the inner optimizer would count twice.
        self.inner_optimizer.loss_scale_factor = None
        self.step_counter = None
        self.dynamic_scale = None

    def build(self, variables) -> None:
        """Creates `step_counter` and `dynamic_scale`, then builds the inner optimizer."""
        variables = list(variables)
        super().build(variables)
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int32",
                                              name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=float(self.initial_scale),
                                               dtype="float32", name="dynamic_scale")
        self.inner_optimizer.build(variables)

    @property
    def variables(self) -> list[torch.Tensor]:
        """Keras' order: own iterations, learning rate, step counter, scale; then the inner's."""
        return super().variables + self.inner_optimizer.variables

    @property
    def iterations(self) -> torch.Tensor:
        """The inner optimizer's step counter (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    def scale_loss(self, loss):
        """The loss times the current scale (the initial scale before the first step)."""
        return loss * (self.dynamic_scale if self.built else self.initial_scale)

    def apply(self, grads, trainable_variables=None) -> None:
        """Unscales `grads` and applies them, or skips the step if any is inf/NaN.

        Args:
            grads: the gradients of the scaled loss, one per variable (None entries skipped).
            trainable_variables: the variables; may be omitted once built.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
        with torch.no_grad():
            present = [g for g in grads if g is not None]
            finite = _all_finite(present)
            unscaled = iter(torch._foreach_div(present, self.dynamic_scale) if present else [])
            grads = [None if g is None else next(unscaled) for g in grads]
            state = self._inner_state(variables)
            saved = [t.clone() for t in state]
            self.inner_optimizer.apply(grads, variables)
            # A skipped step leaves weights and inner state exactly as they were.
            for tensor, old in zip(state, saved):
                tensor.copy_(torch.where(finite, tensor, old))
            self._update_scale(finite)

    def _inner_state(self, variables) -> list[torch.Tensor]:
        """Every tensor the inner step may change: the variables and the inner optimizer's."""
        inner = self.inner_optimizer
        seen, state = set(), []
        for tensor in list(variables) + inner.variables + inner._step_state:
            if id(tensor) not in seen and isinstance(tensor, torch.Tensor):
                seen.add(id(tensor))
                state.append(tensor)
        return state

    def _update_scale(self, finite: torch.Tensor) -> None:
        """Halve on a skipped step; double after `dynamic_growth_steps` finite ones."""
        grow = finite & (self.step_counter == self.dynamic_growth_steps - 1)
        factor = torch.where(finite, torch.where(grow, 2.0, 1.0), 0.5)
        self.dynamic_scale.mul_(factor)
        self.step_counter.copy_(torch.where(finite & ~grow, self.step_counter + 1, 0))

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        """Keras' config: only the name, the inner optimizer and the two scaling arguments."""
        from lamina import optimizers

        return {"name": self.name, "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> LossScaleOptimizer:
        from lamina import optimizers

        config = dict(config)
        inner = optimizers.deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)


def _all_finite(grads) -> torch.Tensor:
    """One device bool: no inf or NaN in any gradient (0 * g is NaN exactly where g is not finite)."""
    if not grads:
        return torch.ones((), dtype=torch.bool)
    zeros = torch._foreach_mul(grads, 0.0)
    return torch.isfinite(torch.stack(torch._foreach_norm(zeros))).all()


def _check_arguments(inner_optimizer, initial_scale, dynamic_growth_steps, kwargs) -> None:
    if not kwargs.pop("dynamic", True):
        raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply "
                         "set `loss_scale_factor` directly on the `inner_optimizer`.")
    for name, default in _BASE_DEFAULTS.items():
        if name in kwargs and kwargs.pop(name) != default:
            raise ValueError(f"LossScaleOptimizer does not support `{name}`. Instead, set "
                             f"`{name}` on the `inner_optimizer`.")
    if kwargs:
        raise ValueError(f"LossScaleOptimizer does not support arguments: "
                         f"`{'`, `'.join(kwargs)}`.")
    if not isinstance(inner_optimizer, Optimizer):
        raise TypeError(f"`inner_optimizer` must be an optimizer instance, e.g. "
                        f"LossScaleOptimizer(keras.optimizers.Adam()). Received: "
                        f"inner_optimizer={inner_optimizer!r}")
    if isinstance(inner_optimizer, LossScaleOptimizer):
        raise TypeError("`inner_optimizer` is already a LossScaleOptimizer: wrap the plain "
                        "optimizer once.")
    if (isinstance(initial_scale, bool) or not isinstance(initial_scale, numbers.Real)
            or not math.isfinite(initial_scale) or initial_scale <= 0):
        raise ValueError(f"`initial_scale` must be a finite number > 0, such as 2**15. "
                         f"Received: initial_scale={initial_scale!r}")
    if (isinstance(dynamic_growth_steps, bool) or not isinstance(dynamic_growth_steps, int)
            or dynamic_growth_steps < 1):
        raise ValueError(f"`dynamic_growth_steps` must be an integer >= 1. Received: "
                         f"dynamic_growth_steps={dynamic_growth_steps!r}")
