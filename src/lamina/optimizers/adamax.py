"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, as Keras computes it.

    `m = b1*m + (1-b1)*g; u = max(b2*u, |g|); w -= lr*m / ((1-b1^t) * (u + epsilon))`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Decay of the first moment. Defaults to 0.9.
        beta_2: Decay of the infinity norm. Defaults to 0.999.
        epsilon: Added to the norm. Defaults to 1e-7.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Adamax(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables) -> None:
        """Creates `momentum` and `norm` slots, interleaved per variable."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "norm"])

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        momentums, norms = slots["momentum"], slots["norm"]
        scale = self._bias_corrections(self.beta_1)[0].div(learning_rate)
        torch._foreach_lerp_(momentums, grads, 1.0 - self.beta_1)
        torch._foreach_mul_(norms, self.beta_2)
        torch._foreach_maximum_(norms, torch._foreach_abs(grads))
        denominators = torch._foreach_add(norms, self.epsilon)
        torch._foreach_mul_(denominators, scale)
        torch._foreach_addcdiv_(variables, momentums, denominators, value=-1.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
