"""Adam: adaptive moment estimation, with Keras' epsilon placement and optional AMSGrad."""
from __future__ import annotations

import numpy as np
import torch

from lamina.optimizers.base import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam, as Keras computes it.

    `m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g²; α = lr*sqrt(1-b2^t)/(1-b1^t);
    w -= α*m / (sqrt(v) + epsilon)` — epsilon is added to the uncorrected root
    (PyTorch adds it to the bias-corrected one). With `amsgrad`, `v` is replaced by its
    running maximum.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        beta_1: Decay of the first moment. Defaults to 0.9.
        beta_2: Decay of the second moment. Defaults to 0.999.
        epsilon: Added to the root of the second moment. Defaults to 1e-7.
        amsgrad: Use the AMSGrad variant. Defaults to False.
        **kwargs: The common optimizer arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> Adam(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.900001
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
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
        self.amsgrad = amsgrad

    def build(self, variables) -> None:
        """Creates `momentum` and `velocity` (and `velocity_hat` with amsgrad) slots."""
        if self.built:
            return
        super().build(variables)
        self.add_optimizer_variables(variables, ["momentum", "velocity"])
        if self.amsgrad:
            self.add_optimizer_variables(variables, "velocity_hat")

    def _update_step(self, grads, variables, learning_rate, slots) -> None:
        if self._fusable(variables, grads, learning_rate):
            self._fused_update_step(grads, variables, learning_rate, slots)
            return
        momentums, velocities = slots["momentum"], slots["velocity"]
        # 1/α = (1-b1^t) * (1-b2^t)^-0.5 / lr, in few tiny ops; dividing the denominator
        # by α turns the update into a single addcdiv.
        corrections = self._bias_corrections(self.beta_1, self.beta_2)
        inv_alpha = corrections.pow_(self._constant((1.0, -0.5))).prod().div_(learning_rate)
        torch._foreach_lerp_(momentums, grads, 1.0 - self.beta_1)
        torch._foreach_mul_(velocities, self.beta_2)
        torch._foreach_addcmul_(velocities, grads, grads, 1.0 - self.beta_2)
        if self.amsgrad:
            torch._foreach_maximum_(slots["velocity_hat"], velocities)
            velocities = slots["velocity_hat"]
        denominators = torch._foreach_sqrt(velocities)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_mul_(denominators, inv_alpha)
        torch._foreach_addcdiv_(variables, momentums, denominators, value=-1.0)

    def _fusable(self, variables, grads, learning_rate) -> bool:
        """`_fusable`, remembered for the tensors the engine passes every step (same objects)."""
        if not (isinstance(learning_rate, torch.Tensor) and learning_rate.device.type == "cpu"):
            return False
        cached = getattr(self, "_fusable_for", None)
        if cached is not None and cached[0] is variables and len(cached[1]) == len(grads) \
                and all(a is b for a, b in zip(cached[1], grads)):
            return cached[2]
        answer = _fusable(variables, grads, learning_rate)
        self._fusable_for = (variables, list(grads), answer)  # held: ids cannot be reused
        return answer

    def _fused_update_step(self, grads, variables, learning_rate, slots) -> None:
        """The same update in PyTorch's fused CPU kernel (one pass over each tensor).

        PyTorch's kernel divides the root by sqrt(1-b2^t) before adding its epsilon, where
        Keras adds epsilon to the uncorrected root. Handing it a step count at which its bias
        corrections are 1 (t = inf) and Keras' corrected rate α = lr*sqrt(1-b2^t)/(1-b1^t) as
        the learning rate makes its update `α*m / (sqrt(v) + epsilon)`, Keras' formula.
        """
        step = self._host_step()
        if step is None:  # first step, or the counter was changed: one read of a CPU value
            self._learn_iterations()
            step = self._host_step()
        if step is None:
            corrections = self._bias_corrections(self.beta_1, self.beta_2)
            alpha = corrections.pow_(self._constant((-1.0, 0.5))).prod().mul_(learning_rate)
        else:  # the corrections on the host: one tensor op instead of six, none when the
            # rate is known on the host too (float32 products, as the tensor op rounds them)
            rate = self._host_rate(learning_rate)
            corrections = self._host_corrections(step)
            alpha = learning_rate * corrections if rate is None else \
                float(np.float32(rate) * np.float32(corrections))
        velocity_hats = slots["velocity_hat"] if self.amsgrad else []
        torch._fused_adam_(variables, grads, slots["momentum"], slots["velocity"], velocity_hats,
                           self._uncorrected_steps(len(variables)), lr=alpha, beta1=self.beta_1,
                           beta2=self.beta_2, weight_decay=0.0, eps=self.epsilon,
                           amsgrad=self.amsgrad, maximize=False)

    def _uncorrected_steps(self, count: int) -> list:
        """`count` step counts of infinity (see `_fused_update_step`), made once."""
        steps = getattr(self, "_infinite_steps", None)
        if steps is None or len(steps) != count or steps[0].device != self._iterations.device:
            infinity = self._constant((float("inf"),))[0]
            steps = self._infinite_steps = [infinity] * count
        return steps

    def _host_corrections(self, step: int) -> float:
        """`sqrt(1-b2^t) / (1-b1^t)` in float32 arithmetic, as Keras (and the tensor path)
        compute it: in float64 it differs by ~1e-5 in the first steps (1 - 0.999^t)."""
        t = np.float32(step)
        one = np.float32(1.0)
        first = one - np.float32(self.beta_1) ** t
        second = one - np.float32(self.beta_2) ** t
        return float((one / first) * np.sqrt(second))

    def _host_step(self) -> int | None:
        """The 1-based step `t` known on the host without reading the counter, else None.

        The counter is a tensor that `apply` increments after this update; its version
        (bumped by every in-place change) tells whether anything else — `set_weights`, loading
        a checkpoint, a callback — changed it since this optimizer last knew its value.
        """
        if self.gradient_accumulation_steps:
            return None
        known = getattr(self, "_known_iterations", None)
        counter = self._iterations
        if known is None or known[0] != counter._version or known[1] is not counter:
            self._known_iterations = None
            return None
        iterations = known[2]
        # `apply` adds 1 next: one version later the counter holds iterations + 1.
        self._known_iterations = (counter._version + 1, counter, iterations + 1)
        return iterations + 1

    def _host_rate(self, learning_rate) -> float | None:
        """The rate as a number when it is this optimizer's own variable (read once per
        change, followed by its version as `_host_step` follows the counter), else None (a
        schedule's or a decayed rate is a new tensor every step)."""
        if learning_rate is not self._learning_rate:
            return None
        known = getattr(self, "_known_rate", None)
        if known is None or known[0] is not learning_rate or known[1] != learning_rate._version:
            known = self._known_rate = (learning_rate, learning_rate._version, float(learning_rate))
        return known[2]

    def _learn_iterations(self) -> None:
        """Records the counter's value once (a CPU read) so `_host_step` can follow it."""
        counter = self._iterations
        if counter.device.type == "cpu" and not self.gradient_accumulation_steps:
            self._known_iterations = (counter._version, counter, int(counter))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config


def _fusable(variables, grads, learning_rate) -> bool:
    """PyTorch's fused Adam applies: float32 CPU tensors, a CPU learning rate."""
    return (isinstance(learning_rate, torch.Tensor) and learning_rate.device.type == "cpu"
            and all(v.device.type == "cpu" and v.dtype == torch.float32 and g.dtype == torch.float32
                    and v.is_contiguous() and g.is_contiguous() for v, g in zip(variables, grads)))
