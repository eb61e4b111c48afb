"""Ftrl: Follow The Regularized Leader, with L1, L2 and L2-shrinkage regularization."""
from __future__ import annotations

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), as Keras computes it.

    With `p = -learning_rate_power`, `g' = g + 2*l2_shrinkage*w` and `n' = n + g²`:
    `z += g' - (n'^p - n^p) / lr * w;  w = (clip(z, -l1, l1) - z) / (n'^p / lr + 2*l2')`
    where `l2' = l2 + beta / (2*lr)`, then `n = n'`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        learning_rate_power: Controls how the rate falls as the accumulator grows; must be
            <= 0 (0 is a fixed rate). Defaults to -0.5.
        initial_accumulator_value: Start of the accumulators `n`; must be >= 0. Defaults to
            0.1.
        l1_regularization_strength: L1 strength, >= 0. Defaults to 0.0.
        l2_regularization_strength: Stabilizing L2 strength, >= 0. Defaults to 0.0.
        l2_shrinkage_regularization_strength: Magnitude-penalizing L2 strength added to the
            gradient, >= 0. Defaults to 0.0.
        beta: Same meaning as in the paper; adds `beta / (2*lr)` to the L2 strength.
            Defaults to 0.0.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Ftrl(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.380962
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError("`initial_accumulator_value` needs to be positive or zero. "
                             f"Received: initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for argument, value in (("l1_regularization_strength", l1_regularization_strength),
                                ("l2_regularization_strength", l2_regularization_strength),
                                ("l2_shrinkage_regularization_strength",
                                 l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{argument}` needs to be positive or zero. Received: "
                                 f"{argument}={value}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables) -> None:
        """Creates `accumulator` (at `initial_accumulator_value`) and `linear` slots."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["accumulator", "linear"],
                                     initializer=[self.initial_accumulator_value, "zeros"])

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        accumulators, linears = slots["accumulator"], slots["linear"]
        power = -self.learning_rate_power
        shrinkage = self.l2_shrinkage_regularization_strength
        new_accumulators = torch._foreach_addcmul(accumulators, grads, grads)
        new_powers = torch._foreach_pow(new_accumulators, power)
        old_powers = torch._foreach_pow(accumulators, power)
        # linear += g + 2*shrinkage*w - (n'^p - n^p) / lr * w
        torch._foreach_sub_(old_powers, new_powers)
        torch._foreach_div_(old_powers, learning_rate)
        if shrinkage:
            torch._foreach_add_(old_powers, 2.0 * shrinkage)
        torch._foreach_addcmul_(linears, old_powers, variables)
        torch._foreach_add_(linears, grads)
        # w = (clip(linear, -l1, l1) - linear) / (n'^p / lr + 2*l2 + beta / lr); the rate
        # (a device tensor) only divides, so no step reads it on the host.
        quadratics = torch._foreach_add(new_powers, self.beta) if self.beta else new_powers
        torch._foreach_div_(quadratics, learning_rate)
        torch._foreach_add_(quadratics, 2.0 * self.l2_regularization_strength)
        l1 = self.l1_regularization_strength
        clipped = torch._foreach_clamp_min(linears, -l1)
        torch._foreach_clamp_max_(clipped, l1)
        torch._foreach_sub_(clipped, linears)
        torch._foreach_div_(clipped, quadratics)
        torch._foreach_copy_(variables, clipped)
        torch._foreach_copy_(accumulators, new_accumulators)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta})
        return config
