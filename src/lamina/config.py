"""Global settings (`keras.config`): float type, epsilon, image layout, dtype policy, safety
switches, where `fit` prints (stdout or the `lamina` logger) and whether it prints a diagnosis
at its end.

Example:
    >>> import lamina
    >>> lamina.config.backend(), lamina.config.floatx(), lamina.config.image_data_format()
    ('torch', 'float32', 'channels_last')
    >>> lamina.config.set_diagnose(True)
    >>> lamina.config.is_diagnose_enabled()
    True
    >>> lamina.config.set_diagnose(False)
"""
from __future__ import annotations

from lamina.backend import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                            set_image_data_format)
from lamina.dtype_policies import DTypePolicy, dtype_policy, set_dtype_policy
from lamina.utils.io_utils import (disable_interactive_logging, enable_interactive_logging,
                                   is_interactive_logging_enabled)

__all__ = ["backend", "epsilon", "set_epsilon", "floatx", "set_floatx", "image_data_format",
           "set_image_data_format", "dtype_policy", "set_dtype_policy", "DTypePolicy",
           "enable_traceback_filtering", "disable_traceback_filtering",
           "is_traceback_filtering_enabled", "enable_unsafe_deserialization",
           "is_unsafe_deserialization_enabled", "set_diagnose", "is_diagnose_enabled",
           "enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled"]

_diagnose_enabled = False
_traceback_filtering = True
_unsafe_deserialization = False


def enable_traceback_filtering() -> None:
    """Keras hides its own frames from tracebacks; lamina's errors are raised at the user's call."""
    global _traceback_filtering
    _traceback_filtering = True


def disable_traceback_filtering() -> None:
    """Accepted for Keras code; lamina keeps full tracebacks either way."""
    global _traceback_filtering
    _traceback_filtering = False


def is_traceback_filtering_enabled() -> bool:
    return _traceback_filtering


def enable_unsafe_deserialization() -> None:
    """Lets `load_model` rebuild `Lambda` layers from Python bytecode (only for files you trust)."""
    global _unsafe_deserialization
    _unsafe_deserialization = True


def is_unsafe_deserialization_enabled() -> bool:
    return _unsafe_deserialization


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
