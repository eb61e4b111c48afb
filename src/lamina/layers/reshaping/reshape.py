"""Reshape: gives each sample a new shape with the same number of values."""
from __future__ import annotations

import math

from lamina.layers.layer import Layer

__all__ = ["Reshape"]


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one entry may be -1).

    Example:
        >>> Reshape((28, 28))(torch.zeros(2, 784)).shape
        torch.Size([2, 28, 28])
    """

    _casts_integer_inputs = False  # moves values, computes none: integers stay, as in Keras

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if self.target_shape.count(-1) > 1:
            raise ValueError(f"There must be at most one unknown dimension (-1) in `target_shape`. "
                             f"Received: target_shape={self.target_shape}.")
        self._build_at_init()

    def call(self, inputs):
        try:
            return inputs.reshape((inputs.shape[0],) + self.target_shape)
        except RuntimeError:
            raise ValueError(f"Layer '{self.name}' cannot reshape inputs of shape "
                             f"{tuple(inputs.shape[1:])} (per sample) to {self.target_shape}: "
                             f"the total size must stay the same.") from None

    def compute_output_shape(self, input_shape):
        target = list(self.target_shape)
        features = tuple(input_shape[1:])
        total = None if any(d is None for d in features) else math.prod(features)
        known = math.prod(d for d in target if d != -1)
        if total is not None and ((known == 0 or total % known) if -1 in target else total != known):
            raise ValueError(
                f"The total size of the tensor must be unchanged. Received: input_shape={features}, "
                f"target_shape={self.target_shape}. Each sample has {total} values, "
                f"and {self.target_shape} holds {known}"
                f"{' times a whole number' if -1 in target else ''}: pick a target_shape whose "
                f"sizes multiply to {total} (one entry may be -1, worked out from the rest).")
        if -1 in target:
            target[target.index(-1)] = None if total is None else total // known
        return (input_shape[0],) + tuple(target)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": list(self.target_shape)}
