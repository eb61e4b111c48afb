"""Nadam: Adam with Nesterov momentum and Dozat's momentum schedule."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Nadam"]


class Nadam(Optimizer):
    """Nadam, as Keras computes it.

    With `u_t = b1*(1 - 0.5*0.96^t)` and `U_t = u_1*...*u_t` (kept in a variable):
    `m̂ = u_{t+1}*m / (1 - U_t*u_{t+1}) + (1-u_t)*g / (1 - U_t)`,
    `v̂ = v / (1 - b2^t)`, `w -= lr*m̂ / (sqrt(v̂) + epsilon)`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Decay of the first moment. Defaults to 0.9.
        beta_2: Decay of the second moment. Defaults to 0.999.
        epsilon: Added to the root. Defaults to 1e-7.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Nadam(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.893722
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
        """Creates `momentum` and `velocity` slots, then the `u_product` scalar."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "velocity"])
        dtype = variables[0].dtype if variables else None
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")
        self._step_state.append(self._u_product)

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        momentums, velocities = slots["momentum"], slots["velocity"]
        step = self._local_step()
        decay = torch.pow(0.96, self._constant((0.0, 1.0)) + step)  # 0.96^t, 0.96^(t+1)
        u_now, u_next = (1.0 - 0.5 * decay).mul_(self.beta_1)
        self._u_product.mul_(u_now)
        u_product_next = self._u_product * u_next
        momentum_scale = u_next / (1.0 - u_product_next)
        grad_scale = (1.0 - u_now) / (1.0 - self._u_product)
        bias_2 = self._bias_corrections(self.beta_2)[0]

        torch._foreach_lerp_(momentums, grads, 1.0 - self.beta_1)
        torch._foreach_mul_(velocities, self.beta_2)
        torch._foreach_addcmul_(velocities, grads, grads, 1.0 - self.beta_2)
        numerators = torch._foreach_mul(momentums, momentum_scale)
        torch._foreach_add_(numerators, torch._foreach_mul(grads, grad_scale))
        denominators = torch._foreach_div(velocities, bias_2)
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_div_(denominators, learning_rate)
        torch._foreach_addcdiv_(variables, numerators, denominators, value=-1.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
