"""The `Callback` base class: hooks into `fit`, `evaluate` and `predict`."""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["BATCH_HOOKS", "Callback", "check_mode"]

# The batch-level hooks the engine calls in each mode; `on_batch_*` are the
# TF-2 era aliases that `on_train_batch_*` forward to.
BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _default_hook(method: Callable) -> Callable:
    """Marks a hook as the do-nothing default, so overrides can be detected cheaply."""
    method._is_default_hook = True
    return method


def check_mode(mode: str) -> None:
    """Raises a ValueError unless `mode` is 'train', 'test' or 'predict'."""
    if mode not in BATCH_HOOKS:
        raise ValueError(
            f"Argument `mode` must be one of 'train', 'test', 'predict'. Received: mode={mode!r}"
        )


class Callback:
    """Base class for callbacks: override the hooks you need.

    The engine calls the hooks at fixed points of `fit`, `evaluate` and
    `predict`. Epoch-level `logs` are plain dicts of Python floats. Batch-level
    `logs` are a `collections.abc.Mapping` whose values are read from the
    device only when accessed: reading one waits for the device, so read them
    only when you need them.

    Attributes:
        params: Dict of training parameters (`verbose`, `epochs`, `steps`).
        model: The model being trained.

    Example:
        >>> class Counter(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.last_epoch = epoch
        >>> counter = Counter()
        >>> counter.on_epoch_end(3, {"loss": 0.5})
        >>> counter.last_epoch
        3
    """

    def __init__(self) -> None:
        self.params = None
        self._model = None

    # Built-in callbacks that read a batch's logs at once (or never) set this, so the logs
    # stay lazy for them and fit reads nothing from the device for their sake.
    _reads_lazy_batch_logs = False

    def set_params(self, params: dict | None) -> None:
        """Stores the training parameters (`verbose`, `epochs`, `steps`)."""
        self.params = params

    def set_model(self, model: Any) -> None:
        """Stores the model the callback acts on."""
        self._model = model

    @property
    def model(self) -> Any:
        """The model, unwrapped from `DistributedDataParallel` when wrapped."""
        parallel = sys.modules.get("torch.nn.parallel")
        if parallel is not None and isinstance(self._model, parallel.DistributedDataParallel):
            return self._model.module
        return self._model

    def needs_batch_hooks_for(self, mode: str) -> bool:
        """Whether this callback does anything in the batch hooks of `mode`.

        The engine skips batch hooks (and their per-step cost) when no
        callback needs them. The default answer is whether a subclass or an
        instance attribute overrides one of the mode's batch hooks.

        Args:
            mode: 'train', 'test' or 'predict'.

        Returns:
            True when the batch hooks of `mode` must be called.

        Example:
            >>> Callback().needs_batch_hooks_for("train")
            False
        """
        check_mode(mode)
        return any(
            not getattr(getattr(self, name), "_is_default_hook", False)
            for name in BATCH_HOOKS[mode]
        )

    @_default_hook
    def on_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """TF-2 era alias of `on_train_batch_begin`."""

    @_default_hook
    def on_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """TF-2 era alias of `on_train_batch_end`."""

    @_default_hook
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of an epoch of `fit` (`epoch` is 0-based)."""

    @_default_hook
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch with its metrics (`val_` ones included)."""

    @_default_hook
    def on_train_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """Called before a training batch; forwards to `on_batch_begin`."""
        self.on_batch_begin(batch, logs=logs)

    @_default_hook
    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """Called after a training batch with the running metrics; forwards to `on_batch_end`."""
        self.on_batch_end(batch, logs=logs)

    @_default_hook
    def on_test_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """Called before a batch of `evaluate` or of validation."""

    @_default_hook
    def on_test_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """Called after a batch of `evaluate` or of validation with the running metrics."""

    @_default_hook
    def on_predict_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """Called before a batch of `predict`."""

    @_default_hook
    def on_predict_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """Called after a batch of `predict`."""

    @_default_hook
    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once at the start of `fit`."""

    @_default_hook
    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once at the end of `fit` with the last epoch's logs."""

    @_default_hook
    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `evaluate` or of a validation run."""

    @_default_hook
    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of `evaluate` or of a validation run with its metrics."""

    @_default_hook
    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `predict`."""

    @_default_hook
    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of `predict`."""


def save_due_on_batch(callback, batch: int) -> bool:
    """Counts `batch` towards an integer `callback.save_freq`; True when a save is due.

    Shared by ModelCheckpoint and BackupAndRestore, which keep the count in
    `_batches_seen_since_last_saving` and the last index in `_last_batch_seen` (None before
    the first batch). A batch index that does not grow starts a new epoch.
    """
    last = callback._last_batch_seen
    added = batch + 1 if last is None or batch <= last else batch - last
    callback._batches_seen_since_last_saving += added
    callback._last_batch_seen = batch
    if callback._batches_seen_since_last_saving >= callback.save_freq:
        callback._batches_seen_since_last_saving = 0
        return True
    return False
