"""SGD: gradient descent with optional (Nesterov) momentum, as Keras writes it."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent with optional momentum.

    No momentum: `w -= lr*g`. Momentum: `m = momentum*m - lr*g; w += m`.
    Nesterov: `w += momentum*m - lr*g` (after updating `m`). Keras keeps `lr` inside `m`,
    so this differs from `torch.optim.SGD` when the learning rate changes.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.01.
        momentum: Float in [0, 1]. Defaults to 0.0.
        nesterov: Use Nesterov momentum. Defaults to False.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> SGD(learning_rate=0.1, momentum=0.9).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.95
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not (
                0 <= momentum <= 1):
            raise ValueError(f"`momentum` must be a float between [0, 1]. "
                             f"Received: momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables) -> None:
        """Creates one `momentum` slot per variable when `momentum` is not 0."""
        if self.built:
            return
        super().build(variables)
        if self.momentum != 0:
            self.add_optimizer_variables(variables, "momentum")

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        steps = torch._foreach_mul(grads, learning_rate)
        if self.momentum == 0:
            torch._foreach_sub_(variables, steps)
            return
        momentums = slots["momentum"]
        torch._foreach_mul_(momentums, self.momentum)
        torch._foreach_sub_(momentums, steps)
        if self.nesterov:
            torch._foreach_sub_(variables, steps)
            torch._foreach_add_(variables, momentums, alpha=self.momentum)
        else:
            torch._foreach_add_(variables, momentums)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
