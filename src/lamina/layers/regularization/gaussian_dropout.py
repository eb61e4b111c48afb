"""GaussianDropout: multiplies the inputs by Gaussian noise of mean 1 in training."""
from __future__ import annotations

import math

from lamina import backend, random
from lamina.layers.layer import Layer
from lamina.layers.regularization.noise import check_rate, check_seed

__all__ = ["GaussianDropout"]


class GaussianDropout(Layer):
    """Multiplies the inputs by noise from N(1, rate / (1 - rate)) in training; identity otherwise.

    Args:
        rate: drop probability of the equivalent Dropout, in [0, 1) (1 would mean infinite
            noise; Keras fails on it when called).
        seed: seed of the noise (None: torch's global generator).

    Example:
        >>> layer = GaussianDropout(0.5, seed=0)
        >>> round(float(layer(torch.ones(10_000), training=True).std()), 1)
        1.0
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate, allow_one=False)
        self.seed = check_seed(seed)
        self.seed_generator = None if seed is None else random.SeedGenerator(seed)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        with backend.device_scope(inputs.device):  # draw where the inputs are
            noise = random.normal(inputs.shape, mean=1.0, stddev=stddev, dtype=inputs.dtype,
                                  seed=self.seed_generator)
        return inputs * noise

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
