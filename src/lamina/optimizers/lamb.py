"""Lamb: Adam steps rescaled per variable by the trust ratio `||w|| / ||update||`."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Lamb"]


class Lamb(Optimizer):
    """LAMB (You et al., 2019), as Keras computes it.

    `m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g²;
    u = (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + epsilon); w -= r * lr * u` with the trust
    ratio `r = ||w|| / ||u||` for each variable (1 when either norm is 0).

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Decay of the first moment. Defaults to 0.9.
        beta_2: Decay of the second moment. Defaults to 0.999.
        epsilon: Added to the bias-corrected root of the second moment. Defaults to 1e-7.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Lamb(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
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
        """Creates `momentum` and `velocity` slots."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "velocity"])

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        momentums, velocities = slots["momentum"], slots["velocity"]
        first, second = self._bias_corrections(self.beta_1, self.beta_2).unbind()
        torch._foreach_lerp_(momentums, grads, 1.0 - self.beta_1)
        torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1.0 - self.beta_2)
        roots = torch._foreach_div(velocities, second)
        torch._foreach_sqrt_(roots)
        torch._foreach_add_(roots, self.epsilon)
        updates = torch._foreach_div(momentums, first)
        torch._foreach_div_(updates, roots)
        weight_norms = torch.stack(torch._foreach_norm(variables))
        update_norms = torch.stack(torch._foreach_norm(updates))
        ratios = torch.where((weight_norms > 0) & (update_norms > 0),
                             weight_norms / update_norms, 1.0) * learning_rate
        torch._foreach_mul_(updates, list(ratios.unbind()))
        torch._foreach_sub_(variables, updates)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
