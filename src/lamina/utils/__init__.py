"""Keras' utilities: one-hot labels, normalization, sequence padding and seeding.

Example:
    >>> import lamina as keras
    >>> keras.utils.to_categorical([0, 1]).shape
    (2, 2)
"""
from lamina.utils.numerical_utils import normalize, to_categorical
from lamina.utils.rng_utils import set_random_seed
from lamina.utils.sequence_utils import pad_sequences

__all__ = ["to_categorical", "normalize", "pad_sequences", "set_random_seed"]
