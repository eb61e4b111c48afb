"""Adafactor: Adam-like steps with factored second moments for matrices (Shazeer & Stern)."""
from __future__ import annotations

import math

import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor, as Keras computes it.

    For a weight of rank >= 2 the second moment of its last two axes is kept as a row mean
    `r` and a column mean `c` (`v = r / mean(r) ⊗ c`); smaller weights keep a full `v`.
    With `t` the step, `rho = min(lr, 1/sqrt(t))`, `beta = 1 - t^beta_2_decay` and
    `g² + epsilon_1` as the squared gradient: `u = g / sqrt(v)`,
    `w -= max(epsilon_2, rms(w)) * rho * u / max(1, rms(u) / clip_threshold)`.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_2_decay: Exponent of the second moment's decay schedule. Defaults to -0.8.
        epsilon_1: Added to the squared gradients. Defaults to 1e-30.
        epsilon_2: Floor of a weight's root mean square in the step size. Defaults to 1e-3.
        clip_threshold: Updates are scaled down when their root mean square exceeds it.
            Defaults to 1.0.
        relative_step: Cap a float learning rate at `1/sqrt(t)`. Defaults to True.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Adafactor(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.9
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables) -> None:
        """Per variable, in Keras' order: row and column moments `r`, `c`, then `velocity`.

        Weights of rank < 2 are not factored; as in Keras they still get two 0-dim
        placeholders for `r` and `c`, so the variable lists match.
        """
        if self.built:
            return
        super().build(variables)
        rows, columns, velocities = [], [], []
        for variable in variables:
            shape = tuple(variable.shape)
            if len(shape) < 2:
                row_shape = column_shape = ()
            else:
                row_shape, column_shape = shape[:-1], shape[:-2] + shape[-1:]
            rows.append(self.add_variable(row_shape, dtype=variable.dtype))
            columns.append(self.add_variable(column_shape, dtype=variable.dtype))
            velocities.append(self.add_variable_from_reference(variable, "velocity"))
        self._slots.update(row=rows, column=columns, velocity=velocities)

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        step = self._local_step()
        inverse_root = step.rsqrt()
        if self.relative_step and not callable(self._learning_rate):  # a float rate only
            learning_rate = torch.minimum(learning_rate, inverse_root)
        rho = torch.minimum(learning_rate, inverse_root)
        beta = 1.0 - step.pow(self.beta_2_decay)
        squares = torch._foreach_mul(grads, grads)
        torch._foreach_add_(squares, self.epsilon_1)
        flat, flat_velocities = [], []
        for index, variable in enumerate(variables):
            if variable.dim() < 2:
                flat.append(squares[index])
                flat_velocities.append(slots["velocity"][index])
                continue
            row, column = slots["row"][index], slots["column"][index]
            row.copy_(beta * row + (1.0 - beta) * squares[index].mean(dim=-1))
            column.copy_(beta * column + (1.0 - beta) * squares[index].mean(dim=-2))
            slots["velocity"][index].copy_(
                (row / row.mean(dim=-1, keepdim=True)).unsqueeze(-1) * column.unsqueeze(-2))
        if flat:  # v = beta*v + (1-beta)*(g² + epsilon_1), all unfactored weights at once
            torch._foreach_mul_(flat_velocities, beta)
            torch._foreach_mul_(flat, 1.0 - beta)
            torch._foreach_add_(flat_velocities, flat)
        updates = torch._foreach_sqrt(slots["velocity"])
        torch._foreach_reciprocal_(updates)
        torch._foreach_mul_(updates, grads)
        roots_of_sizes = [math.sqrt(max(v.numel(), 1)) for v in variables]
        # rms(x) = ||x|| / sqrt(size): the step size max(epsilon_2, rms(w)) * rho and the
        # clipping 1 / max(1, rms(u) / clip_threshold), one scalar per variable.
        sizes = torch.tensor(roots_of_sizes, dtype=rho.dtype, device=rho.device)
        weight_rms = torch.stack(torch._foreach_norm(variables)).to(rho.dtype) / sizes
        update_rms = torch.stack(torch._foreach_norm(updates)).to(rho.dtype) / sizes
        scales = (weight_rms.clamp_min(self.epsilon_2) * rho
                  / (update_rms / self.clip_threshold).clamp_min(1.0))
        torch._foreach_mul_(updates, list(scales.unbind()))
        torch._foreach_sub_(variables, updates)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config
