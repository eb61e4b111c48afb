"""`LambdaCallback`: a callback built from plain functions."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lamina.callbacks.base import Callback

__all__ = ["LambdaCallback"]


def _check_hook(name: str, function: Any) -> None:
    """Raises a TypeError unless the hook given as `name` is callable."""
    if not callable(function):
        raise TypeError(
            f"Argument `{name}` of LambdaCallback must be a function, but received "
            f"{function!r}. Pass the function itself (e.g. `{name}=my_function`), not its result."
        )


class LambdaCallback(Callback):
    """Callback whose hooks are the functions you pass.

    Epoch hooks take `(epoch, logs)`, batch hooks `(batch, logs)`, train hooks
    `(logs)`. Any other hook can be given by name as a keyword (TF-2 code
    passes `on_batch_begin` / `on_batch_end`, which still work).

    Args:
        on_epoch_begin: Called at the start of each epoch.
        on_epoch_end: Called at the end of each epoch.
        on_train_begin: Called at the start of training.
        on_train_end: Called at the end of training.
        on_train_batch_begin: Called before each training batch.
        on_train_batch_end: Called after each training batch.
        **kwargs: Other hooks (or attributes), set on the instance as given.

    Example:
        >>> seen = []
        >>> callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
        >>> callback.on_epoch_end(0, {})
        >>> seen
        [0]
    """

    def __init__(
        self,
        on_epoch_begin: Callable | None = None,
        on_epoch_end: Callable | None = None,
        on_train_begin: Callable | None = None,
        on_train_end: Callable | None = None,
        on_train_batch_begin: Callable | None = None,
        on_train_batch_end: Callable | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        for name, value in kwargs.items():
            if name.startswith("on_"):
                _check_hook(name, value)
        self.__dict__.update(kwargs)
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, function in hooks.items():
            if function is not None:
                _check_hook(name, function)
                setattr(self, name, function)
