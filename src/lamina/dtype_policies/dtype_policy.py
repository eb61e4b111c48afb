"""`DTypePolicy`: the dtypes a layer computes in and keeps its weights in (Keras' mixed precision).

'mixed_float16' and 'mixed_bfloat16' compute in float16 / bfloat16 and keep float32 weights;
any dtype name ('float32', 'float64', 'int32') uses that dtype for both.

Example:
    >>> policy = DTypePolicy("mixed_float16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('float16', 'float32')
"""
from __future__ import annotations

import torch

from lamina import backend

__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "dtype_policy",
    "reset_dtype_policy",
    "set_dtype_policy",
]

_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}


class DTypePolicy:
    """A dtype policy by name: 'float32', 'mixed_float16', 'mixed_bfloat16', 'float64', ...

    Args:
        name: the policy's name (default: the global policy's, see `set_dtype_policy`).

    Example:
        >>> layer = lamina.layers.Dense(10, dtype=DTypePolicy("mixed_bfloat16"))
        >>> layer.compute_dtype, layer.variable_dtype
        ('bfloat16', 'float32')
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = _parse_name(name)
        self._quantization_mode = None

    @property
    def name(self) -> str:
        """The policy's name, e.g. 'mixed_float16'."""
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations, inputs and outputs (e.g. 'float16')."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype of the layer's weights (float32 for the mixed policies)."""
        return self._variable_dtype

    @property
    def quantization_mode(self) -> None:
        """None: lamina has no quantized policies."""
        return self._quantization_mode

    def convert_input(self, x, autocast: bool, dtype):
        """`x` cast to `dtype` when `autocast` is on and `x` is a floating tensor or array.

        Integer and boolean inputs are kept as they are, as in Keras.

        Example:
            >>> DTypePolicy("mixed_bfloat16").convert_input(torch.ones(2), True, "bfloat16").dtype
            torch.bfloat16
        """
        target = backend.torch_dtype(dtype)
        if not isinstance(x, torch.Tensor):
            if not hasattr(x, "__array__"):
                return x
            x = backend.to_tensor(x)
        if autocast and x.is_floating_point() and x.dtype != target:
            return x.to(target)
        return x

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> DTypePolicy:
        return cls(**config)

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and self._name == other._name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


class FloatDTypePolicy(DTypePolicy):
    """Keras' alias of `DTypePolicy`."""


def _parse_name(name) -> tuple[str, str]:
    if not isinstance(name, str):
        raise TypeError(f"'name' must be a string, such as 'mixed_float16'. Received: "
                        f"name={name} (of type {type(name)})")
    if name in _MIXED:
        return _MIXED[name]
    try:
        dtype = str(backend.torch_dtype(name)).removeprefix("torch.")
    except ValueError:
        raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid "
                         f"policies include 'mixed_float16', 'mixed_bfloat16', and the name of "
                         f"any float dtype such as 'float32'.") from None
    return dtype, dtype


_global_policy: DTypePolicy | None = None


def dtype_policy() -> DTypePolicy:
    """The global dtype policy: what layers created without `dtype=` use.

    Example:
        >>> dtype_policy()
        <DTypePolicy "float32">
    """
    global _global_policy
    if _global_policy is None:
        _global_policy = DTypePolicy(backend.floatx())
    return _global_policy


def set_dtype_policy(policy) -> None:
    """Sets the global dtype policy ('mixed_float16' or 'mixed_bfloat16' for mixed precision).

    Layers created afterwards use it; layers that exist keep theirs.

    Example:
        >>> set_dtype_policy("mixed_bfloat16"); dtype_policy().compute_dtype
        'bfloat16'
        >>> set_dtype_policy("float32")
    """
    global _global_policy
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    elif not isinstance(policy, DTypePolicy):
        raise ValueError(  # noqa: TRY004 -- Keras raises ValueError here
            f"Invalid `policy` argument. Expected the string name of a policy (such as "
            f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy} "
            f"(of type {type(policy)})")
    _global_policy = policy


def reset_dtype_policy() -> None:
    """Back to the default policy (floatx), as `keras.backend.clear_session()` does.

    Example:
        >>> set_dtype_policy("mixed_float16"); reset_dtype_policy(); dtype_policy().name
        'float32'
    """
    global _global_policy
    _global_policy = None
