"""The random source of the regularization layers: seeded per layer, on the inputs' device.

A layer with `seed=` owns a `torch.Generator` seeded once, so its masks and noise differ from
step to step yet repeat exactly for the same seed; without a seed it draws from torch's global
generator (which `keras.utils.set_random_seed` seeds). Drawing needs no host sync.

Example:
    >>> layer = lamina.layers.GaussianNoise(0.1, seed=3)
    >>> noise_generator(layer, torch.device("cpu")).initial_seed()
    3
"""
from __future__ import annotations

import torch

__all__ = ["check_rate", "check_seed", "noise_generator"]


def check_seed(seed):
    """`seed` if it is an int or None; ValueError otherwise."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"Argument `seed` must be an integer or None. Received: seed={seed!r}")
    return seed


def check_rate(value, name: str = "rate", allow_one: bool = True) -> float:
    """`value` as a float in [0, 1] (or [0, 1) without `allow_one`); ValueError naming `name`."""
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
            or (value == 1 and not allow_one)):
        bounds = "between 0 and 1" if allow_one else "between 0 and 1, with 1 excluded"
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float value "
                         f"{bounds}. Received: {name}={value!r}")
    return float(value)


def noise_generator(layer, device: torch.device) -> torch.Generator | None:
    """`layer`'s own generator on `device` (seeded from `layer.seed`), or None without a seed."""
    if layer.seed is None:
        return None
    generator = layer.__dict__.get("_generator")
    if generator is None or generator.device != device:
        generator = torch.Generator(device=device).manual_seed(layer.seed)
        layer._generator = generator
    return generator
