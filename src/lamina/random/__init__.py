"""`keras.random`: seeded random ops and `SeedGenerator`."""
from lamina.random.distributions import *  # noqa: F401,F403
from lamina.random.distributions import __all__ as _distributions
from lamina.random.seed_generator import SeedGenerator

__all__ = ["SeedGenerator", *_distributions]
