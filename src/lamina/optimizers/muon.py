"""Muon: momentum orthogonalized by Newton-Schulz iterations for 2-D weights, AdamW for the rest
(Jordan et al., 2024; the Moonlight learning-rate scaling, Liu et al., 2025)."""
from __future__ import annotations

import math
import re

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Muon"]


class Muon(Optimizer):
    """Muon, as Keras computes it.

    A 2-D weight (unless its path says "embedding" or matches `exclude_layers`) takes
    `m = momentum*m + g; w -= lr * scale * NS5(g + momentum*m)` (or `NS5(m)` without
    Nesterov), where NS5 is the quintic Newton-Schulz approximation of the orthogonal factor
    and `scale = sqrt(max(rows, cols)) * rms_rate`. Every other weight takes an AdamW step at
    `learning_rate * adam_lr_ratio`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        adam_beta_1, adam_beta_2, epsilon: Adam's constants for the non-Muon weights.
        adam_weight_decay: Decoupled weight decay of the Adam weights. Defaults to 0.004.
        weight_decay: Decoupled weight decay of the Muon weights. Defaults to 0.004.
        exclude_layers: Regular expressions; weights whose path matches one use Adam.
        exclude_embeddings: Embedding weights use Adam. Defaults to True.
        muon_a, muon_b, muon_c: The Newton-Schulz polynomial's coefficients.
        adam_lr_ratio: The Adam weights' learning rate relative to `learning_rate`.
        momentum: Muon's momentum. Defaults to 0.95.
        ns_steps: Newton-Schulz iterations. Defaults to 5.
        nesterov: Use Nesterov momentum. Defaults to True.
        rms_rate: The Moonlight scale of the update (None: no scaling). Defaults to 0.2.
        **kwargs: The common optimizer arguments (`clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.eye(2))
        >>> Muon(learning_rate=0.1, weight_decay=None).apply([torch.eye(2)], [w])
        >>> [round(v, 4) for v in w.detach().diagonal().tolist()]
        [0.9687, 0.9687]
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2,
                 **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable) -> bool:
        if variable.ndim != 2:
            return True
        path = str(getattr(variable, "path", None) or getattr(variable, "name", None) or "")
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def build(self, variables) -> None:
        """A `momentum` slot per weight, and a `velocity` after it for the Adam weights
        (Keras' order)."""
        if self.built:
            return
        super().build(variables)
        self._momentums, self._adam_velocities = [], []
        for variable in self._trainable_variables:
            self._momentums.append(self.add_variable_from_reference(variable, "momentum"))
            self._adam_velocities.append(
                self.add_variable_from_reference(variable, "velocity")
                if self._should_use_adamw(variable) else None)
        # Gradient accumulation restores these on the steps that do not update.
        self._step_state += self._momentums + [v for v in self._adam_velocities if v is not None]

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        for gradient, variable in zip(grads, variables):
            index = self._get_variable_index(variable)
            momentum, velocity = self._momentums[index], self._adam_velocities[index]
            if velocity is not None:
                self._adamw_step(gradient, variable, learning_rate * self.adam_lr_ratio,
                                 momentum, velocity)
            else:
                self._muon_step(gradient, variable, learning_rate, momentum)

    def _muon_step(self, gradient, variable, learning_rate, momentum) -> None:
        momentum.mul_(self.momentum).add_(gradient)
        direction = gradient + self.momentum * momentum if self.nesterov else momentum
        update = learning_rate * self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        if self.rms_rate is not None:
            update = update * (math.sqrt(max(update.shape[0], update.shape[1])) * self.rms_rate)
        variable.sub_(update)

    def _adamw_step(self, gradient, variable, learning_rate, momentum, velocity) -> None:
        correction_1, correction_2 = self._bias_corrections(self.adam_beta_1, self.adam_beta_2)
        alpha = learning_rate * torch.sqrt(correction_2) / correction_1
        momentum.lerp_(gradient, 1 - self.adam_beta_1)
        velocity.lerp_(gradient * gradient, 1 - self.adam_beta_2)
        variable.sub_(momentum * alpha / (torch.sqrt(velocity) + self.epsilon))

    def zeropower_via_newtonschulz5(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        """The quintic Newton-Schulz approximation of `U V^T` (SVD of `x`, last two axes)."""
        if x.ndim < 2:
            raise ValueError("Expected gradient or momentum to have at least 2 dimensions. "
                             f"Received: shape={tuple(x.shape)}")
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)  # spectral norm <= 1
        for _ in range(steps):
            gram = x @ x.transpose(-2, -1)
            x = self.muon_a * x + (self.muon_b * gram + self.muon_c * gram @ gram) @ x
        return x.transpose(-2, -1) if tall else x

    def _apply_weight_decay(self, variables, learning_rate) -> None:
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            adam = self._adam_velocities[self._get_variable_index(variable)] is not None
            decay = self.adam_weight_decay if adam else self.weight_decay
            if decay is not None:
                variable.sub_(variable * decay * learning_rate)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon, "exclude_layers": self.exclude_layers,
            "muon_a": self.muon_a, "muon_b": self.muon_b, "muon_c": self.muon_c,
            "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
            "ns_steps": self.ns_steps, "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate,
        })
        return config
