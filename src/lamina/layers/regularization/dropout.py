"""Dropout: zeroes a random fraction of the inputs during training."""
from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from lamina.layers.layer import Layer
from lamina.random.seed_generator import SeedGenerator, torch_generator

__all__ = ["Dropout"]


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 during training, scaling the rest by 1/(1-rate).

    Args:
        rate: fraction of the units to drop, in [0, 1).
        noise_shape: shape of the binary mask (None entries follow the input), e.g.
            `(batch, 1, features)` to drop the same features at every timestep.
        seed: seed for the mask (None: the global generator).

    Example:
        >>> Dropout(0.5)(torch.ones(4), training=False)
        tensor([1., 1., 1., 1.])
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"Invalid value received for argument `rate`. Expected a float value "
                            f"between 0 and 1. Received: rate={rate!r} (of type "
                            f"{type(rate).__name__}). Pass a number, e.g. Dropout(0.5).")
        if not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value "
                             f"between 0 and 1. Received: rate={rate!r}. `rate` is the fraction of "
                             f"inputs dropped, in [0, 1): rate=1 would drop them all, e.g. use 0.5.")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.seed_generator = None if seed is None else SeedGenerator(seed)
        self._build_at_init()

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, training=True)
        return inputs * self._mask(inputs) / (1 - self.rate)

    def _mask(self, inputs):
        # Keras' PyTorch backend draws a seeded mask with bernoulli; the same draw gives the
        # same mask for the same seed.
        shape = inputs.shape if self.noise_shape is None else self._noise_shape_for(inputs)
        keep = torch.full(shape, 1.0 - self.rate, device=inputs.device)
        generator = torch_generator(self.seed_generator, inputs.device)
        return torch.bernoulli(keep, generator=generator).to(inputs.dtype)

    def _noise_shape_for(self, inputs) -> tuple:
        """`noise_shape` with its None entries taken from `inputs`, checked against them."""
        shape = tuple(size if wanted is None else wanted
                      for size, wanted in zip(inputs.shape, self.noise_shape))
        if (len(self.noise_shape) != inputs.dim()
                or any(mask not in (1, size) for mask, size in zip(shape, inputs.shape))):
            raise ValueError(
                f"Layer '{self.name}' got inputs of shape {tuple(inputs.shape)}, which its "
                f"`noise_shape` does not fit: expected one entry per input axis, each 1, None or "
                f"that axis' size. Received: noise_shape={self.noise_shape}")
        return shape

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}
