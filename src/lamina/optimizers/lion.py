"""Lion: sign of an interpolated momentum (Chen et al., 2023)."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion, as Keras computes it.

    `w -= lr * sign(b1*m + (1-b1)*g); m = b2*m + (1-b2)*g`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Interpolation of momentum and gradient for the step. Defaults to 0.9.
        beta_2: Decay of the momentum. Defaults to 0.99.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Lion(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, variables) -> None:
        """Creates one `momentum` slot per variable."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, "momentum")

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        momentums = slots["momentum"]
        directions = torch._foreach_lerp(momentums, grads, 1.0 - self.beta_1)
        torch._foreach_sign_(directions)
        torch._foreach_mul_(directions, learning_rate)
        torch._foreach_sub_(variables, directions)
        torch._foreach_lerp_(momentums, grads, 1.0 - self.beta_2)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
