"""Dtype policies (`keras.dtype_policies`): `DTypePolicy`, `get`, `serialize`, `deserialize`.

Example:
    >>> get("mixed_bfloat16").compute_dtype
    'bfloat16'
    >>> serialize(DTypePolicy("mixed_float16"))["config"]
    {'name': 'mixed_float16'}
"""
from __future__ import annotations

from lamina import backend
from lamina.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    dtype_policy,
    set_dtype_policy,
)

__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "deserialize",
    "dtype_policy",
    "get",
    "serialize",
    "set_dtype_policy",
]

_CLASSES = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy,
            "Policy": DTypePolicy}


def serialize(policy: DTypePolicy) -> dict:
    """Keras 3's form: `{'module': 'keras', 'class_name': 'DTypePolicy', 'config': ...}`."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(),
            "registered_name": None}


def deserialize(config: dict, custom_objects=None) -> DTypePolicy:
    """A policy from `serialize()` output (or TF-2's `{'class_name': 'Policy', ...}`).

    Example:
        >>> deserialize({"class_name": "DTypePolicy", "config": {"name": "float64"}})
        <DTypePolicy "float64">
    """
    class_name = config.get("class_name")
    cls = (custom_objects or {}).get(class_name) or _CLASSES.get(class_name)
    if cls is None:
        raise ValueError(f"Cannot deserialize a dtype policy of class {class_name!r}: expected "
                         f"one of {sorted(_CLASSES)}. Received: {config!r}")
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier) -> DTypePolicy:
    """A policy from None (the global one), a name, a config dict, a dtype or a policy.

    Example:
        >>> get(None) == dtype_policy(), get("float64").variable_dtype
        (True, 'float64')
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    try:
        return DTypePolicy(str(backend.torch_dtype(identifier)).removeprefix("torch."))
    except (TypeError, ValueError):
        raise ValueError(f"Cannot interpret `dtype` argument. Expected a string or an instance "
                         f"of DTypePolicy. Received: dtype={identifier}") from None
