"""The argument checks shared by the noise layers (GaussianNoise, GaussianDropout, AlphaDropout).

A noise layer with `seed=` owns a `SeedGenerator`, as in Keras: each training call draws the
next seed of its stream, so its noise differs from call to call and the Nth call equals Keras'
Nth call on PyTorch; without a seed it draws from torch's global generator (which
`keras.utils.set_random_seed` seeds). Drawing needs no host sync.

Example:
    >>> check_rate(0.5), check_seed(3)
    (0.5, 3)
"""
from __future__ import annotations

__all__ = ["check_rate", "check_seed"]


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
