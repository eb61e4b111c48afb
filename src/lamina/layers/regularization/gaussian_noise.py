"""GaussianNoise: adds zero-centred Gaussian noise in training (a data-augmentation regularizer)."""
from __future__ import annotations

from lamina import backend, random
from lamina.layers.layer import Layer
from lamina.layers.regularization.noise import check_rate, check_seed

__all__ = ["GaussianNoise"]


class GaussianNoise(Layer):
    """Adds noise drawn from N(0, stddev²) to the inputs in training; identity otherwise.

    Args:
        stddev: standard deviation of the noise, in [0, 1].
        seed: seed of the noise (None: torch's global generator).

    Example:
        >>> layer = GaussianNoise(0.1, seed=0)
        >>> x = torch.zeros(10_000)
        >>> round(float(layer(x, training=True).std()), 1), bool((layer(x) == x).all())
        (0.1, True)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = check_rate(stddev, "stddev")
        self.seed = check_seed(seed)
        self.seed_generator = None if seed is None else random.SeedGenerator(seed)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        with backend.device_scope(inputs.device):  # draw where the inputs are
            noise = random.normal(inputs.shape, stddev=self.stddev, dtype=inputs.dtype,
                                  seed=self.seed_generator)
        return inputs + noise

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
