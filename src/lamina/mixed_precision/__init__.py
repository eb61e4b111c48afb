"""Mixed precision (`keras.mixed_precision`): compute in float16/bfloat16, keep float32 weights.

`set_global_policy('mixed_bfloat16')` makes the layers created afterwards compute in bfloat16
while their weights stay float32 (cast at each call, so gradients and optimizer state stay
float32). Keep the last layer in float32 for a stable softmax:
`Dense(10, activation='softmax', dtype='float32')`. With 'mixed_float16', `compile` wraps the
optimizer in a `LossScaleOptimizer`, which scales the loss so small float16 gradients survive.

Example:
    >>> set_global_policy("mixed_bfloat16")
    >>> layer = lamina.layers.Dense(4)
    >>> layer(torch.ones(2, 3)).dtype, layer.kernel.dtype
    (torch.bfloat16, torch.float32)
    >>> set_global_policy("float32")
"""
from __future__ import annotations

from lamina.dtype_policies import DTypePolicy
from lamina.dtype_policies.dtype_policy import dtype_policy, set_dtype_policy
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer

__all__ = [
           "DTypePolicy",
           "LossScaleOptimizer",
           "Policy",
           "dtype_policy",
           "global_policy",
           "set_dtype_policy",
           "set_global_policy",
]

# Keras keeps the TF-2 names as aliases.
Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy
