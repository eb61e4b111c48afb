"""`ModelCheckpoint`: save the model or its weights during `fit`."""
from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

from lamina.callbacks.base import check_mode, save_due_on_batch
from lamina.callbacks.monitor_callback import MonitorCallback, _missing_monitor_hint
from lamina.utils.io_utils import print_msg

__all__ = ["ModelCheckpoint"]


def check_save_freq(save_freq: Any) -> None:
    """Keras' ValueError unless `save_freq` is 'epoch' or a whole number of batches (>= 1)."""
    is_count = isinstance(save_freq, int) and not isinstance(save_freq, bool)
    if save_freq != "epoch" and not is_count:
        raise ValueError(
            f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer "
            "values (a number of batches, e.g. save_freq=100)."
        )
    if is_count and save_freq < 1:
        raise ValueError(
            f"Argument `save_freq` must be 'epoch' or a number of batches >= 1. Received: "
            f"save_freq={save_freq}"
        )


def _check_filepath(filepath: str, save_weights_only: bool) -> None:
    """Keras 3's extension rule, widened to the `.h5` names TF-2 era books use."""
    if save_weights_only:
        if not filepath.endswith((".weights.h5", ".h5", ".hdf5")):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                "provided must end in `.weights.h5` (Keras weights format). Received: "
                f"filepath={filepath}. (lamina also writes Keras 2's `.h5`; TensorFlow "
                "checkpoints such as `.ckpt` are not supported: use e.g. "
                "'checkpoint.weights.h5'.)"
            )
    elif not filepath.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(
            "The filepath provided must end in `.keras` (Keras model format). Received: "
            f"filepath={filepath}. (Keras 2's `.h5` also works; to save only the weights, "
            "pass save_weights_only=True and a name ending in `.weights.h5`.)"
        )


def _plain_logs(logs: Mapping | None) -> dict:
    """Logs as a dict of Python floats where possible (batch logs are read here, once)."""
    plain = {}
    for key, value in (logs or {}).items():
        try:
            plain[key] = float(value)
        except (TypeError, ValueError, RuntimeError):
            plain[key] = value
    return plain


def _print(message: str) -> None:
    print_msg(message)


class ModelCheckpoint(MonitorCallback):
    """Saves the model (or its weights) at the end of each epoch or every few batches.

    `filepath` may hold format fields filled from `epoch` (1-based, as in
    Keras), `batch` (1-based, batch-level saves) and the log keys:
    `"ckpt-{epoch:02d}-{val_loss:.2f}.keras"`. With `save_best_only`, a save
    happens only when the monitored value beats the best so far (and
    `initial_value_threshold`, when given). Files go through `model.save` /
    `model.save_weights`, which write to a temporary name and rename.

    Args:
        filepath: Path of the file; ends in `.keras` or `.h5` (whole model),
            or `.weights.h5` with `save_weights_only=True`.
        monitor: Log key compared with `save_best_only`. Defaults to 'val_loss'.
        verbose: 1 prints a line for each save decision.
        save_best_only: Save only when the monitored value improves.
        save_weights_only: Save with `save_weights` instead of `save`.
        mode: 'auto', 'min' or 'max'.
        save_freq: 'epoch', or a number of training batches between saves.
        initial_value_threshold: The value a first save must beat.

    Example:
        >>> checkpoint = ModelCheckpoint("best-model.h5", save_best_only=True)
        >>> checkpoint.monitor, checkpoint.save_freq
        ('val_loss', 'epoch')
    """

    _reads_lazy_batch_logs = True  # reads a batch's logs when called, keeps none

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        check_save_freq(save_freq)
        _check_filepath(self.filepath, save_weights_only)

    def needs_batch_hooks_for(self, mode: str) -> bool:
        """Batch hooks only for batch-level saves (`save_freq` a number)."""
        check_mode(mode)
        return mode == "train" and self.save_freq != "epoch"

    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, _plain_logs(logs))

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        if self.monitor_op is None:
            # Delayed until here so the model's metrics exist.
            self._set_monitor_op(logs)
        if self.save_freq == "epoch":
            self._save_model(epoch, None, _plain_logs(logs))

    def state_dict(self) -> dict:
        """What `BackupAndRestore` keeps of this callback: the best value and batch counters."""
        return {"best": self.best, "batches_seen": self._batches_seen_since_last_saving}

    def load_state_dict(self, state: Mapping) -> None:
        """Restores what `state_dict` returned."""
        self.best = state["best"]
        self._batches_seen_since_last_saving = state["batches_seen"]

    def _should_save_on_batch(self, batch: int) -> bool:
        """Counts batches (a batch index that does not grow starts a new epoch)."""
        if self.save_freq == "epoch":
            return False
        return save_due_on_batch(self, batch)

    def _save_model(self, epoch: int, batch: int | None, logs: dict) -> None:
        """Formats the path, decides, saves, and says so when verbose."""
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}"
            )
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _should_save_model(self, epoch: int, logs: dict, filepath: str) -> bool:
        """Keras' rule: always without save_best_only, else only on an improvement."""
        if not self.save_best_only:
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available."
                f"{_missing_monitor_hint(self.monitor, logs)}",
                stacklevel=3,
            )
            return True
        if self.monitor_op is None:  # a batch-level save before the first epoch end
            self._set_monitor_op()
        best_text = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_text} to "
                       f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_text}")
        return False

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        """`filepath` with `epoch`, `batch` (both 1-based) and the log values filled in."""
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}. '
                f"The fields available are: {', '.join(sorted(fields))}."
            ) from None
