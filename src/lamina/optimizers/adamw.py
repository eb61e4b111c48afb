"""AdamW: Adam with decoupled weight decay (`w -= lr * weight_decay * w` first)."""
from __future__ import annotations

from lamina.optimizers.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as Keras computes it.

    Each step first shrinks the weights, `w -= lr * weight_decay * w`, then takes an Adam
    step.

    Args:
        learning_rate: Float, `LearningRateSchedule` or callable. Defaults to 0.001.
        weight_decay: Decay factor per unit of learning rate. Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: As for `Adam`.
        **kwargs: The common optimizer arguments (`clipnorm`, ...).

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.ones(1))
        >>> AdamW(learning_rate=0.1).apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.899601
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
            amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
            global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency, loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
