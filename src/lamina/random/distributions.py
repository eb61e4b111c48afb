"""`keras.random`: seeded random tensors with Keras' names, arguments and defaults.

`seed` is an int (the same values every call), a `SeedGenerator` (a new draw each call,
reproducible from its seed), or None (torch's global generator).

Example:
    >>> x = normal((2, 3), seed=1)
    >>> x.shape, bool((normal((2, 3), seed=1) == x).all())
    (torch.Size([2, 3]), True)
    >>> int(randint((5,), minval=0, maxval=3, seed=0).max()) < 3
    True
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.random.seed_generator import torch_generator

__all__ = ["normal", "uniform", "truncated_normal", "randint", "dropout", "shuffle", "categorical",
           "gamma", "beta", "binomial"]


def _float_dtype(dtype) -> torch.dtype:
    resolved = backend.torch_dtype(dtype if dtype is not None else backend.floatx())
    if not resolved.is_floating_point:
        raise ValueError(f"This random op requires a floating point dtype. Received: "
                         f"dtype={dtype!r}; use keras.random.randint for integers.")
    return resolved


def _shape(shape) -> tuple:
    return tuple(int(d) for d in shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Draws from a normal distribution N(mean, stddev²)."""
    device = backend.get_device()
    values = torch.randn(_shape(shape), generator=torch_generator(seed, device), device=device,
                         dtype=_float_dtype(dtype))
    return values * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Draws uniformly from [minval, maxval)."""
    device = backend.get_device()
    values = torch.rand(_shape(shape), generator=torch_generator(seed, device), device=device,
                        dtype=_float_dtype(dtype))
    return values * (maxval - minval) + minval


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal values, redrawn where they fall more than 2 standard deviations from the mean."""
    device = backend.get_device()
    values = torch.empty(_shape(shape), device=device, dtype=_float_dtype(dtype))
    torch.nn.init.trunc_normal_(values, mean=0.0, std=1.0, a=-2.0, b=2.0,
                                generator=torch_generator(seed, device))
    return values * stddev + mean


def randint(shape, minval, maxval, dtype="int32", seed=None) -> torch.Tensor:
    """Integers drawn uniformly from [minval, maxval)."""
    device = backend.get_device()
    return torch.randint(int(minval), int(maxval), _shape(shape), generator=torch_generator(seed, device),
                         device=device, dtype=backend.torch_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None) -> torch.Tensor:
    """Zeroes a fraction `rate` of `inputs` and scales the rest by 1 / (1 - rate).

    The mask is Keras' PyTorch draw, `bernoulli(1 - rate)` (of `noise_shape`, broadcast to the
    inputs), so the same seed keeps the same units as Keras on PyTorch.

    Example:
        >>> dropout(torch.ones(2, 4), 0.5, seed=3)
        tensor([[2., 2., 2., 2.],
                [2., 2., 0., 0.]])
    """
    if not 0 <= rate <= 1:
        raise ValueError(f"Invalid value received for argument `rate`. Expected a float value "
                         f"between 0 and 1. Received: rate={rate!r}")
    inputs = torch.as_tensor(inputs)
    if rate == 1:
        return torch.zeros_like(inputs)
    if rate == 0:
        return inputs
    if seed is None and noise_shape is None:  # torch's fused kernel, as Keras: no seed to follow
        return torch.nn.functional.dropout(inputs, rate, training=True)
    shape = inputs.shape if noise_shape is None else tuple(
        size if wanted is None else wanted for size, wanted in zip(inputs.shape, noise_shape))
    keep_prob = 1.0 - rate
    keep = torch.full(shape, keep_prob, device=inputs.device)
    mask = torch.bernoulli(keep, generator=torch_generator(seed, inputs.device)).bool()
    kept = mask.broadcast_to(inputs.shape)
    return torch.where(kept, inputs / keep_prob, torch.zeros_like(inputs))


def shuffle(x, axis=0, seed=None) -> torch.Tensor:
    """`x` with its entries along `axis` in a random order."""
    x = torch.as_tensor(x)
    order = torch.randperm(x.shape[axis], generator=torch_generator(seed, x.device), device=x.device)
    return x.index_select(axis, order)


def categorical(logits, num_samples, dtype="int32", seed=None) -> torch.Tensor:
    """`num_samples` class indices per row of `logits` (unnormalized log-probabilities)."""
    logits = torch.as_tensor(logits)
    probabilities = torch.softmax(logits.to(torch.float32), dim=-1)
    samples = torch.multinomial(probabilities, int(num_samples), replacement=True,
                                generator=torch_generator(seed, logits.device))
    return samples.to(backend.torch_dtype(dtype))


def gamma(shape, alpha, dtype=None, seed=None) -> torch.Tensor:
    """Draws from a Gamma(alpha, 1) distribution."""
    dtype = _float_dtype(dtype)
    device = backend.get_device()
    concentration = torch.full(_shape(shape), float(alpha), dtype=dtype, device=device)
    # torch._standard_gamma is the sampler behind torch.distributions.Gamma; calling it directly
    # lets the draw use this seed's generator.
    with _seeded(seed, device):
        return torch._standard_gamma(concentration)


def beta(shape, alpha, beta, dtype=None, seed=None) -> torch.Tensor:
    """Draws from a Beta(alpha, beta) distribution, as X / (X + Y) of two Gamma draws."""
    dtype = _float_dtype(dtype)
    device = backend.get_device()
    with _seeded(seed, device):
        x = torch._standard_gamma(torch.full(_shape(shape), float(alpha), dtype=dtype, device=device))
        y = torch._standard_gamma(torch.full(_shape(shape), float(beta), dtype=dtype, device=device))
    return x / (x + y)


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> torch.Tensor:
    """Draws from a Binomial(counts, probabilities) distribution."""
    dtype = _float_dtype(dtype)
    device = backend.get_device()
    count = torch.full(_shape(shape), float(counts), dtype=torch.float32, device=device)
    probability = torch.full(_shape(shape), float(probabilities), dtype=torch.float32, device=device)
    with _seeded(seed, device):
        return torch.binomial(count, probability).to(dtype)


class _seeded:
    """Runs torch's global-generator samplers (gamma, binomial) under a given seed, then
    restores the global state, so a seeded draw leaves other randomness untouched."""

    def __init__(self, seed, device):
        self.generator = torch_generator(seed, device)
        self.device = device
        self.saved = None

    def __enter__(self):
        if self.generator is not None:
            self.saved = torch.random.get_rng_state()
            torch.manual_seed(self.generator.initial_seed())

    def __exit__(self, *exc_info):
        if self.saved is not None:
            torch.random.set_rng_state(self.saved)
