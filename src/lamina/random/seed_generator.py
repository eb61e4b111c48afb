"""`SeedGenerator`: a reproducible stream of seeds for random ops in layers (`keras.random`).

A generator holds its seed and a counter on the host: each draw advances the counter, so a
layer's random ops differ from step to step yet repeat exactly for the same seed, with no
read from the device.

Example:
    >>> generator = SeedGenerator(42)
    >>> a = lamina.random.normal((2,), seed=generator)
    >>> b = lamina.random.normal((2,), seed=generator)
    >>> bool((a == b).all())
    False
    >>> bool((lamina.random.normal((2,), seed=SeedGenerator(42)) == a).all())
    True
"""
from __future__ import annotations

import torch

from lamina import backend

__all__ = ["SeedGenerator", "torch_generator"]

# Keras' PyTorch backend seeds each draw's generator with (seed + counter) as a uint32; the
# same rule here gives the same draws (and Dropout masks) as Keras on PyTorch.
_UINT32 = 0xFFFFFFFF


class SeedGenerator:
    """A seed plus a counter; `next()` returns a fresh integer seed each call.

    Args:
        seed: an integer, or None for a random one (drawn from torch's global generator,
            so `keras.utils.set_random_seed` makes it reproducible).
        name: an optional name.
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        if seed is None:
            seed = int(torch.randint(0, 2**31 - 1, (1,)).item())
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer or None. Received: seed={seed!r}")
        self._initial_seed = seed
        self.counter = 0
        self.name = name or "seed_generator"

    def next(self) -> int:
        """The next seed of the stream: the first is the generator's own seed, as in Keras."""
        value = (self._initial_seed + self.counter) & _UINT32
        self.counter += 1
        return value

    @property
    def state(self) -> torch.Tensor:
        """Keras' `[seed, counter]` state (as saved in `.keras` files)."""
        return torch.tensor([self._initial_seed, self.counter], dtype=torch.int64)

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)


_global_generator: SeedGenerator | None = None


def torch_generator(seed, device=None) -> torch.Generator | None:
    """A `torch.Generator` for one draw: from an int (the same draw every time), a
    SeedGenerator (the next in its stream), or None (torch's global generator)."""
    if seed is None:
        return None
    device = torch.device(device) if device is not None else backend.get_device()
    if device.type == "meta":  # a symbolic call (building a model) draws nothing, as in Keras
        return None
    if isinstance(seed, SeedGenerator):
        value = seed.next()
    elif isinstance(seed, int) and not isinstance(seed, bool):
        value = seed & _UINT32
    else:
        raise ValueError(f"Argument `seed` must be an int, a `keras.random.SeedGenerator` or None. "
                         f"Received: seed={seed!r}")
    generator = torch.Generator(device=device.type)
    generator.manual_seed(value)
    return generator
