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

import os

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
__all__ += ["max_epochs", "set_max_epochs", "max_steps_per_epoch", "set_max_steps_per_epoch",
            "is_flash_attention_enabled", "enable_flash_attention", "disable_flash_attention",
            "set_backend", "is_nnx_enabled"]

_diagnose_enabled = False
_traceback_filtering = True
_unsafe_deserialization = False
# Keras reads the debugging caps from these variables once, at import.
_max_epochs = int(os.environ["KERAS_MAX_EPOCHS"]) if "KERAS_MAX_EPOCHS" in os.environ else None
_max_steps_per_epoch = (int(os.environ["KERAS_MAX_STEPS_PER_EPOCH"])
                        if "KERAS_MAX_STEPS_PER_EPOCH" in os.environ else None)
# Keras' three states: None (the default: layers may use it), True, False (refused).
_flash_attention = None


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


def set_max_epochs(max_epochs: int | None) -> None:
    """Caps the epochs of every `fit` (a debugging switch; `$KERAS_MAX_EPOCHS` sets it too).

    Args:
        max_epochs: The limit, or None for none.

    Example:
        >>> import lamina
        >>> lamina.config.set_max_epochs(2); lamina.config.max_epochs()
        2
        >>> lamina.config.set_max_epochs(None)
    """
    global _max_epochs
    _max_epochs = max_epochs


def max_epochs() -> int | None:
    """The limit `set_max_epochs` (or `$KERAS_MAX_EPOCHS`) put on `fit`'s epochs, else None."""
    return _max_epochs


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Caps the steps of each epoch of `fit`, `evaluate` and `predict` (debugging switch;
    `$KERAS_MAX_STEPS_PER_EPOCH` sets it too).

    Args:
        max_steps_per_epoch: The limit, or None for none.

    Example:
        >>> import lamina
        >>> lamina.config.set_max_steps_per_epoch(5); lamina.config.max_steps_per_epoch()
        5
        >>> lamina.config.set_max_steps_per_epoch(None)
    """
    global _max_steps_per_epoch
    _max_steps_per_epoch = max_steps_per_epoch


def max_steps_per_epoch() -> int | None:
    """The limit `set_max_steps_per_epoch` (or `$KERAS_MAX_STEPS_PER_EPOCH`) put, else None."""
    return _max_steps_per_epoch


def enable_flash_attention() -> None:
    """Lets attention layers use a fused (flash) kernel where they can; the default.

    As in Keras this restores the default state, so `is_flash_attention_enabled()` is None.
    """
    global _flash_attention
    _flash_attention = None


def disable_flash_attention() -> None:
    """Forbids attention layers from using a fused (flash) kernel."""
    global _flash_attention
    _flash_attention = False


def is_flash_attention_enabled() -> bool | None:
    """False once `disable_flash_attention()` ran; otherwise None (allowed), as in Keras.

    Example:
        >>> import lamina
        >>> lamina.config.disable_flash_attention(); lamina.config.is_flash_attention_enabled()
        False
        >>> lamina.config.enable_flash_attention()
        >>> lamina.config.is_flash_attention_enabled() is None
        True
    """
    return _flash_attention


def set_backend(backend: str) -> None:
    """Accepts 'torch', lamina's one backend; any other name raises.

    Raises:
        ValueError: `backend` is not 'torch'.
    """
    if backend != "torch":
        raise ValueError(f"lamina runs on PyTorch only, so `set_backend` accepts only 'torch'. "
                         f"Received: backend={backend!r}. For another backend, install Keras "
                         f"itself and set KERAS_BACKEND.")


def is_nnx_enabled() -> bool:
    """Flax NNX belongs to Keras' JAX backend: always False here."""
    return False
