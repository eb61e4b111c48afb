"""One seed for every random number generator lamina's users touch (`keras.utils.set_random_seed`).

Example:
    >>> from lamina.utils import set_random_seed
    >>> set_random_seed(1337)
"""
from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["set_random_seed", "get_random_seed"]

_global_seed: int | None = None


def set_random_seed(seed: int) -> None:
    """Seeds Python's `random`, NumPy's global generator and torch (CPU and every GPU).

    After the same `set_random_seed(seed)`, weight initialization, dropout and shuffling
    repeat exactly on CPU (GPU kernels may still be nondeterministic).

    Args:
        seed: an integer from 0 to 2**32 - 1 (NumPy's range).

    Raises:
        ValueError: `seed` is not an integer (Keras' error type), or is outside 0 .. 2**32 - 1.

    Example:
        >>> set_random_seed(42); a = torch.rand(2)
        >>> set_random_seed(42); bool((a == torch.rand(2)).all())
        True
    """
    global _global_seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r} "
                        f"(of type {type(seed).__name__}). Pass e.g. seed=42.")
    seed = int(seed)
    if not 0 <= seed < 2**32:
        raise ValueError(f"Argument `seed` must be between 0 and 2**32 - 1; received seed={seed}.")
    _global_seed = seed
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device, lazily when CUDA starts


def get_random_seed() -> int | None:
    """The seed given to the last `set_random_seed` call, or None.

    Example:
        >>> set_random_seed(7); get_random_seed()
        7
    """
    return _global_seed
