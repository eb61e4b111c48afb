"""AlphaDropout: dropout that keeps the mean and variance of SELU activations."""
from __future__ import annotations

from lamina import backend, random
from lamina.layers.layer import Layer
from lamina.layers.regularization.noise import check_rate, check_seed

__all__ = ["AlphaDropout"]

# SELU's constants (Klambauer et al. 2017): dropped units take SELU's negative saturation value.
_ALPHA = 1.6732632423543772
_SCALE = 1.0507009873554805


class AlphaDropout(Layer):
    """Sets dropped units to SELU's saturation value `-alpha * scale`, then restores the mean and
    variance with an affine map `a * x + b`, in training; identity otherwise.

    Args:
        rate: fraction of the units to drop, in [0, 1) (Keras fails on 1 when called).
        noise_shape: shape of the mask (None entries follow the input), as in Dropout.
        seed: seed of the mask (None: torch's global generator).

    Example:
        >>> layer = AlphaDropout(0.2, seed=0)
        >>> x = torch.randn(20_000)
        >>> y = layer(x, training=True)
        >>> abs(float(y.mean())) < 0.05, abs(float(y.std()) - 1) < 0.05
        (True, True)
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate, allow_one=False)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = check_seed(seed)
        self.seed_generator = None if seed is None else random.SeedGenerator(seed)
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape if self.noise_shape is None else tuple(
            size if wanted is None else wanted for size, wanted in zip(inputs.shape, self.noise_shape))
        with backend.device_scope(inputs.device):  # draw where the inputs are
            kept = (random.uniform(shape, seed=self.seed_generator) >= self.rate).to(inputs.dtype)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}
