"""Argument checks of the preprocessing layers, in Keras' words plus a close-match hint.

Example:
    >>> validate_string_arg("Int", ("int", "count"), "StringLookup", "output_mode")
    Traceback (most recent call last):
    ...
    ValueError: Unknown value for `output_mode` argument of StringLookup. Allowed values are: \
('int', 'count'). Received: output_mode=Int Did you mean 'int'?
"""
from __future__ import annotations

from lamina.utils.errors import did_you_mean

__all__ = ["validate_string_arg", "refuse_sparse"]


def validate_string_arg(value, allowable_strings, caller_name: str, arg_name: str,
                        allow_none: bool = False, allow_callables: bool = False) -> None:
    """Raises ValueError unless `value` is one of `allowable_strings` (or None / a callable)."""
    if allow_none and value is None:
        return
    if allow_callables and callable(value):
        return
    if isinstance(value, str) and value in allowable_strings:
        return
    hint = did_you_mean(str(value).lower(), allowable_strings) if isinstance(value, str) else ""
    raise ValueError(f"Unknown value for `{arg_name}` argument of {caller_name}. Allowed values "
                     f"are: {tuple(allowable_strings)}. Received: {arg_name}={value}{hint}")


def refuse_sparse(sparse, caller_name: str) -> None:
    """Raises for `sparse=True`: lamina's layers return dense torch tensors only."""
    if sparse:
        raise ValueError(f"{caller_name} does not support `sparse=True`: lamina returns dense "
                         f"torch tensors (Keras supports sparse outputs only on the TensorFlow "
                         f"backend). Leave `sparse=False`.")
