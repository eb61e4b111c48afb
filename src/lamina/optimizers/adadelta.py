"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as Keras computes it.

    `G = rho*G + (1-rho)*g²; d = sqrt(D + eps) * g / sqrt(G + eps);
    D = rho*D + (1-rho)*d²; w -= lr*d`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001
            (1.0 matches the original paper).
        rho: Decay of both averages. Defaults to 0.95.
        epsilon: Added inside both roots. Defaults to 1e-7.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Adadelta(learning_rate=1.0).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.998586
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables) -> None:
        """Creates `accumulated_grad` and `accumulated_delta_var` slots, interleaved per
        variable as Keras stores them (a saved file's optimizer state is in that order)."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["accumulated_grad", "accumulated_delta_var"])

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        grad_averages = slots["accumulated_grad"]
        delta_averages = slots["accumulated_delta_var"]
        torch._foreach_mul_(grad_averages, self.rho)
        torch._foreach_addcmul_(grad_averages, grads, grads, 1.0 - self.rho)
        deltas = torch._foreach_add(delta_averages, self.epsilon)
        torch._foreach_sqrt_(deltas)
        torch._foreach_mul_(deltas, grads)
        roots = torch._foreach_add(grad_averages, self.epsilon)
        torch._foreach_sqrt_(roots)
        torch._foreach_div_(deltas, roots)
        torch._foreach_mul_(delta_averages, self.rho)
        torch._foreach_addcmul_(delta_averages, deltas, deltas, 1.0 - self.rho)
        torch._foreach_mul_(deltas, learning_rate)
        torch._foreach_sub_(variables, deltas)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
