"""RMSprop: divide the gradient by a running root mean square (epsilon inside the root)."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as Keras computes it.

    `v = rho*v + (1-rho)*g²; step = lr*g / sqrt(v + epsilon)` — epsilon **inside** the root.
    Centered: `a = rho*a + (1-rho)*g` and the root is `sqrt(v - a² + epsilon)`.
    Momentum: `m = momentum*m + step; w -= m`, else `w -= step`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        rho: Decay of the squared-gradient average. Defaults to 0.9.
        momentum: Defaults to 0.0.
        epsilon: Added inside the root. Defaults to 1e-7.
        centered: Normalise by the estimated variance instead. Defaults to False.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> RMSprop(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.683773
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables) -> None:
        """Creates `velocity` slots, then `momentum` and `average_gradient` when used."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, "velocity")
        if self.momentum > 0:
            self.add_optimizer_variables(variables, "momentum")
        if self.centered:
            self.add_optimizer_variables(variables, "average_gradient")

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        velocities = slots["velocity"]
        torch._foreach_mul_(velocities, self.rho)
        torch._foreach_addcmul_(velocities, grads, grads, 1.0 - self.rho)
        if self.centered:
            averages = slots["average_gradient"]
            torch._foreach_mul_(averages, self.rho)
            torch._foreach_add_(averages, grads, alpha=1.0 - self.rho)
            denominators = torch._foreach_addcmul(velocities, averages, averages, value=-1.0)
            torch._foreach_add_(denominators, self.epsilon)
        else:
            denominators = torch._foreach_add(velocities, self.epsilon)
        torch._foreach_sqrt_(denominators)
        # Dividing the root by lr makes `lr*g/root` one addcdiv.
        torch._foreach_div_(denominators, learning_rate)
        if self.momentum > 0:
            momentums = slots["momentum"]
            torch._foreach_mul_(momentums, self.momentum)
            torch._foreach_addcdiv_(momentums, grads, denominators)
            torch._foreach_sub_(variables, momentums)
        else:
            torch._foreach_addcdiv_(variables, grads, denominators, value=-1.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
