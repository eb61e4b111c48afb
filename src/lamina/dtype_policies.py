"""`DTypePolicy`: the dtypes a layer computes in and stores its weights in (Keras' mixed precision).

Example:
    >>> policy = DTypePolicy("mixed_float16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('float16', 'float32')
"""
from __future__ import annotations

from lamina import backend

__all__ = ["DTypePolicy", "dtype_policy", "set_dtype_policy"]

_ACCEPTED = ("float16", "bfloat16", "float32", "float64", "mixed_float16", "mixed_bfloat16")


class DTypePolicy:
    """A dtype policy by name: 'float32', 'mixed_float16', 'mixed_bfloat16', ...

    Args:
        name: the policy's name (default: `keras.config.floatx()`).
    """

    def __init__(self, name: str | None = None):
        name = backend.floatx() if name is None else name
        if name not in _ACCEPTED:
            raise ValueError(f"Cannot convert {name!r} to a mixed precision DTypePolicy. Valid "
                             f"policies include 'mixed_float16', 'mixed_bfloat16', and the name of "
                             f"any float dtype such as 'float32'.")
        self.name = name

    @property
    def compute_dtype(self) -> str:
        return self.name.replace("mixed_", "")

    @property
    def variable_dtype(self) -> str:
        return "float32" if self.name.startswith("mixed_") else self.name

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


_global_policy: DTypePolicy | None = None


def dtype_policy() -> DTypePolicy:
    """The global dtype policy layers use when created without `dtype=`."""
    return _global_policy or DTypePolicy()


def set_dtype_policy(policy) -> None:
    """Sets the global dtype policy ('mixed_float16' for mixed precision training).

    Example:
        >>> set_dtype_policy("mixed_bfloat16"); dtype_policy().compute_dtype
        'bfloat16'
        >>> set_dtype_policy("float32")
    """
    global _global_policy
    _global_policy = policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)
