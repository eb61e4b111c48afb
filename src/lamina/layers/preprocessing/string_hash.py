"""TensorFlow's string hash buckets, so hashed bins equal Keras' bin for bin.

Keras' Hashing (and the OOV buckets of StringLookup/IntegerLookup) call
`tf.strings.to_hash_bucket_fast` — FarmHash's `Fingerprint64` of the UTF-8 bytes, modulo the
number of buckets — or, with a salt, `tf.strings.to_hash_bucket_strong` — SipHash-2-4 keyed by
the two salt integers. The same functions come from the `cityhash` package (Google's FarmHash
sources) and `siphashc`: `pip install "lamina[hashing]"`.

Example:
    >>> hash_buckets(["a", "b", "c"], num_buckets=5).tolist()
    [4, 2, 2]
"""
from __future__ import annotations

import numpy as np

__all__ = ["hash_buckets", "as_hash_strings"]

_MASK64 = (1 << 64) - 1


def hash_buckets(strings, num_buckets: int, salt=None) -> np.ndarray:
    """The bucket (int64 in `[0, num_buckets)`) of each str in `strings`, as TensorFlow computes it.

    Args:
        strings: an iterable of str.
        num_buckets: the number of buckets.
        salt: None (FarmHash64), or two integers keying SipHash-2-4.
    """
    if salt is None:
        fingerprint = _farmhash().Fingerprint64
        hashes = [fingerprint(s) for s in strings]
    else:
        siphash = _siphashc().siphash
        key = b"".join((int(part) & _MASK64).to_bytes(8, "little") for part in salt)
        hashes = [siphash(key, s.encode("utf-8")) for s in strings]
    return np.array([h % num_buckets for h in hashes], dtype=np.int64)


def as_hash_strings(values: np.ndarray) -> list[str]:
    """What `tf.as_string` makes of numbers before hashing: ints in decimal, bools as true/false.

    Floats are truncated to integers first, as Keras' Hashing casts them to int64.
    """
    if values.dtype == np.bool_:
        return ["true" if v else "false" for v in values.reshape(-1).tolist()]
    return [str(v) for v in values.astype(np.int64).reshape(-1).tolist()]


def _farmhash():
    try:
        import farmhash
    except ImportError:
        raise ImportError(_missing("cityhash")) from None
    return farmhash


def _siphashc():
    try:
        import siphashc
    except ImportError:
        raise ImportError(_missing("siphashc")) from None
    return siphashc


def _missing(package: str) -> str:
    return (f"Hashing strings as Keras does (TensorFlow's FarmHash64 and SipHash-2-4) needs the "
            f"`{package}` package. Install it with `pip install {package}` (or "
            f"`pip install \"lamina[hashing]\"` for both).")
