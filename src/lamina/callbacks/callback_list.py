"""`CallbackList`: calls a list of callbacks through one object."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from lamina.callbacks.base import Callback, check_mode
from lamina.callbacks.history import History
from lamina.callbacks.progbar_logger import ProgbarLogger

__all__ = ["CallbackList", "flat_sorted_logs"]


# Hooks run once every callback has had the plain one: BackupAndRestore restores the other
# callbacks' state after they reset it, and backs it up after they updated it.
_LATE_HOOKS = {"on_train_begin": "_after_train_begin", "on_epoch_end": "_after_epoch_end"}


def _plain_logs(logs: Mapping) -> dict:
    """`logs` as a dict whose tensors are Python floats (a metric's 0-dim result) or NumPy
    arrays (predict's `outputs`), as in Keras."""
    import torch  # only here: the callbacks need torch for nothing else

    def plain(value):
        if isinstance(value, torch.Tensor):
            if value.ndim == 0 and value.dtype.is_floating_point:
                return float(value.detach())
            return value.detach().cpu().numpy()
        if isinstance(value, (list, tuple)):
            return type(value)(plain(v) for v in value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {name: plain(value) for name, value in logs.items()}


def _flatten(callbacks: Any) -> list:
    """Flattens nested lists/tuples of callbacks into one list."""
    if isinstance(callbacks, (list, tuple)):
        return [leaf for item in callbacks for leaf in _flatten(item)]
    return [callbacks]


def _check_callback(callback: Any) -> None:
    """Raises a TypeError unless `callback` is a callback instance."""
    if isinstance(callback, type):
        raise TypeError(
            f"Argument `callbacks` expects callback instances, but received the class "
            f"{callback.__name__}. Did you forget the parentheses? Use {callback.__name__}()."
        )
    if not callable(getattr(callback, "set_model", None)):
        raise TypeError(
            "Argument `callbacks` expects instances of keras.callbacks.Callback, but "
            f"received {callback!r} of type {type(callback).__name__}."
        )


def flat_sorted_logs(logs: Mapping | None) -> dict:
    """Logs in Keras' order (`pythonify_logs`): keys sorted, a nested dict
    (`{"compile_metrics": {"mae": ...}}`) spliced in at its key's place; values untouched.

    Example:
        >>> flat_sorted_logs({"loss": 1, "compile_metrics": {"mae": 2}})
        {'mae': 2, 'loss': 1}
    """
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, Mapping):
            result.update(flat_sorted_logs(value))
        else:
            result[key] = value
    return result


def _pythonify_logs(logs: Mapping | None) -> dict:
    """Epoch-level logs as `flat_sorted_logs` orders them, values as Python floats.

    This reads every value (one device sync), which is fine once per epoch.
    """
    result = {}
    for key, value in flat_sorted_logs(logs).items():
        try:
            value = float(value)
        except (TypeError, ValueError, RuntimeError):
            pass
        result[key] = value
    return result


class CallbackList(Callback):
    """Container that forwards every hook to a list of callbacks, in order.

    Keras 3 order: the user's callbacks, then `History` (when `add_history`),
    then `ProgbarLogger` (when `add_progbar`); one already in the list is
    reused instead. Epoch-level logs are converted once to a key-sorted dict
    of floats and the same dict goes to every callback (so a callback may add
    keys, e.g. `learning_rate`, that later ones see). Batch-level logs are
    passed through untouched, so values stay on the device until read.

    Args:
        callbacks: A callback, or a (nested) list of callbacks.
        add_history: Whether to add a `History` if none is in `callbacks`.
        add_progbar: Whether to add a `ProgbarLogger` if none is in `callbacks`.
        model: The model the callbacks act on (`model.history` is set to the History).
        **params: Training parameters handed to each callback's `set_params`.

    Example:
        >>> callbacks = CallbackList([], add_history=True, verbose=0, epochs=2, steps=3)
        >>> callbacks.on_train_begin()
        >>> callbacks.on_epoch_end(0, {"loss": 0.5})
        >>> callbacks.callbacks[-1].history
        {'loss': [0.5]}
    """

    def __init__(
        self,
        callbacks: Callback | Iterable[Callback] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks = _flatten(callbacks) if callbacks is not None else []
        for callback in self.callbacks:
            _check_callback(callback)
        self._add_default_callbacks(add_history, add_progbar)
        for callback in self.callbacks:  # BackupAndRestore backs up the other callbacks' state
            if callable(getattr(callback, "_set_sibling_callbacks", None)):
                callback._set_sibling_callbacks(self.callbacks)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        """Finds or appends the History and ProgbarLogger callbacks."""
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def set_params(self, params: dict | None) -> None:
        """Stores `params` and hands them to every callback (when not empty)."""
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model: Any) -> None:
        """Hands `model` to every callback and sets `model.history`."""
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def needs_batch_hooks_for(self, mode: str) -> bool:
        """Whether any callback needs the batch hooks of `mode` ('train', 'test', 'predict').

        Ask after the matching `on_*_begin` hook: the answer of `ProgbarLogger`
        depends on whether it runs inside `fit`.

        Example:
            >>> CallbackList([Callback()]).needs_batch_hooks_for("train")
            False
        """
        check_mode(mode)
        return any(
            callback.needs_batch_hooks_for(mode)
            if callable(getattr(callback, "needs_batch_hooks_for", None))
            else True
            for callback in self.callbacks
        )

    def _call_all(self, hook: str, *args: Any) -> None:
        """Calls `hook` on every callback with the same arguments, then the late hooks.

        A batch's logs stay lazy (read from the device only when looked at) for the built-in
        callbacks that read them at once or not at all; any other callback gets them as Keras
        gives them, a dict of Python floats and NumPy arrays it may keep or change.
        """
        plain_args = None
        for callback in self.callbacks:
            method = getattr(callback, hook)
            if (hook.endswith("batch_end") and not callback._reads_lazy_batch_logs
                    and not getattr(method, "_is_default_hook", False)):
                if plain_args is None:
                    plain_args = (args[0], _plain_logs(args[1]))
                method(*plain_args)
                continue
            method(*args)
        late_hook = _LATE_HOOKS.get(hook)
        for callback in self.callbacks if late_hook else ():
            if callable(getattr(callback, late_hook, None)):
                getattr(callback, late_hook)(*args)

    def on_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_batch_begin", batch, {} if logs is None else logs)

    def on_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_batch_end", batch, {} if logs is None else logs)

    def on_train_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_train_batch_begin", batch, {} if logs is None else logs)

    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_train_batch_end", batch, {} if logs is None else logs)

    def on_test_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_test_batch_begin", batch, {} if logs is None else logs)

    def on_test_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_test_batch_end", batch, {} if logs is None else logs)

    def on_predict_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_predict_batch_begin", batch, {} if logs is None else logs)

    def on_predict_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_predict_batch_end", batch, {} if logs is None else logs)

    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_epoch_begin", epoch, _pythonify_logs(logs))

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        self._call_all("on_epoch_end", epoch, _pythonify_logs(logs))

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self._call_all("on_train_begin", _pythonify_logs(logs))

    def on_train_end(self, logs: Mapping | None = None) -> None:
        self._call_all("on_train_end", _pythonify_logs(logs))

    def on_test_begin(self, logs: Mapping | None = None) -> None:
        self._call_all("on_test_begin", _pythonify_logs(logs))

    def on_test_end(self, logs: Mapping | None = None) -> None:
        self._call_all("on_test_end", _pythonify_logs(logs))

    def on_predict_begin(self, logs: Mapping | None = None) -> None:
        self._call_all("on_predict_begin", _pythonify_logs(logs))

    def on_predict_end(self, logs: Mapping | None = None) -> None:
        self._call_all("on_predict_end", _pythonify_logs(logs))
