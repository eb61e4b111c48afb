"""Schedule-free AdamW (Defazio et al., 2024): no learning-rate schedule, an average of the
iterates instead."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["ScheduleFreeAdamW"]


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW, as Keras computes it.

    The slot `momentum` (`z`, started at the weights) takes RMSprop steps
    `z -= lr * g / (sqrt(v / (1 - beta_2**t)) + epsilon)`; the average `x` of the `z`s is
    recovered from the weights, updated with weight `1/t`, and the weights become
    `y = (1 - beta_1) * z + beta_1 * x`. The learning rate ramps up linearly over
    `warmup_steps`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.0025.
        beta_1: Interpolation between the average and `z`. Defaults to 0.9.
        beta_2: Decay of the squared-gradient average. Defaults to 0.999.
        epsilon: Added to the denominator. Defaults to 1e-8.
        warmup_steps: Steps of linear warm-up. Defaults to 0.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> ScheduleFreeAdamW(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 4)
        0.9
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, variables) -> None:
        """`momentum` (a copy of each weight) and `velocity` slots, interleaved per weight."""
        if self.built:
            return
        super().build(variables)
        momentums, _ = self.add_optimizer_variables(self._trainable_variables,
                                                    ["momentum", "velocity"])
        with torch.no_grad():
            torch._foreach_copy_(momentums, self._trainable_variables)

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        step = self._local_step()
        if self.warmup_steps > 0:
            learning_rate = learning_rate * torch.clamp(step / self.warmup_steps, max=1.0)
        (correction_2,) = self._bias_corrections(self.beta_2)
        weight = 1.0 / step
        beta_1 = self.beta_1
        for gradient, variable, momentum, velocity in zip(grads, variables, slots["momentum"],
                                                          slots["velocity"]):
            momentum_old = momentum.clone()
            velocity.lerp_(gradient * gradient, 1 - self.beta_2)
            denominator = torch.sqrt(velocity / correction_2) + self.epsilon
            momentum.sub_(learning_rate * gradient / denominator)
            average_old = (variable - (1 - beta_1) * momentum_old) / beta_1
            average = (1 - weight) * average_old + weight * momentum
            variable.copy_((1 - beta_1) * momentum + beta_1 * average)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
