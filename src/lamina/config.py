"""Global settings (`keras.config`): here, whether `fit` prints a diagnosis at its end.

Example:
    >>> import lamina
    >>> lamina.config.set_diagnose(True)
    >>> lamina.config.is_diagnose_enabled()
    True
    >>> lamina.config.set_diagnose(False)
"""
from __future__ import annotations

__all__ = ["set_diagnose", "is_diagnose_enabled"]

_diagnose_enabled = False


def set_diagnose(value: bool) -> None:
    """Turns on (or off) the diagnosis `fit` prints when training ends (with `verbose` not 0).

    Args:
        value: True to print `History.diagnose()`'s verdict after every `fit`.

    Raises:
        TypeError: `value` is not a bool.
    """
    global _diagnose_enabled
    if not isinstance(value, bool):
        raise TypeError(f"Argument `value` must be True or False. Received: value={value!r}")
    _diagnose_enabled = value


def is_diagnose_enabled() -> bool:
    """Whether `fit` prints a diagnosis at its end (see `set_diagnose`)."""
    return _diagnose_enabled
