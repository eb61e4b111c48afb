"""`EarlyStopping`: stop training when a monitored quantity stops improving."""
from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from lamina.callbacks.monitor_callback import MonitorCallback, _missing_monitor_hint
from lamina.utils.io_utils import print_msg

__all__ = ["EarlyStopping"]


class EarlyStopping(MonitorCallback):
    """Stops `fit` when the monitored quantity has stopped improving.

    At each epoch end `wait` grows by one; an improvement (beyond
    `min_delta`) records the new best (and its weights) and, if it also beats
    `baseline`, resets `wait` to 0. Once `wait >= patience` (after epoch 0),
    `model.stop_training` is set and `stopped_epoch` holds the 0-based epoch.

    Args:
        monitor: Log key to watch. Defaults to 'val_loss'.
        min_delta: Smallest change that counts as an improvement. Defaults to 0.
        patience: Epochs without improvement before stopping. Defaults to 0.
        verbose: 1 prints `Epoch N: early stopping` and the restore message.
        mode: 'auto', 'min' or 'max'; 'auto' maximises accuracy/AUC-like names
            and minimises the rest.
        baseline: Value the quantity must beat for `wait` to reset.
        restore_best_weights: Whether to put back the best epoch's weights at the
            end of training (whether or not training stopped early).
        start_from_epoch: Epochs of warm-up during which nothing is monitored.

    Example:
        >>> stopper = EarlyStopping(monitor="loss", patience=3)
        >>> stopper.patience
        3
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._reset()

    def _reset(self) -> None:
        """Clears the state of a previous `fit`, so the instance can be reused."""
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        self._warned_missing_monitor = False

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        if self.monitor_op is None:
            # Delayed until here so the model's metrics exist.
            self._set_monitor_op(logs)
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self._record_best_weights(epoch)
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self._record_best_weights(epoch)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Mapping | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def state_dict(self) -> dict:
        """What `BackupAndRestore` keeps: the counters, the best value and its weights."""
        return {"wait": self.wait, "stopped_epoch": self.stopped_epoch, "best": self.best,
                "best_epoch": self.best_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: Mapping) -> None:
        """Restores what `state_dict` returned."""
        self.wait, self.stopped_epoch = state["wait"], state["stopped_epoch"]
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        weights = state["best_weights"]
        self.best_weights = None if weights is None else [np.array(w) for w in weights]

    def get_monitor_value(self, logs: Mapping | None) -> float | None:
        """The monitored value, or None (with one warning per `fit`) when it is not logged.

        Args:
            logs: The epoch logs.

        Returns:
            The value as a float, or None.

        Example:
            >>> EarlyStopping(monitor="loss").get_monitor_value({"loss": 0.25})
            0.25
        """
        current = self._monitor_value(logs)
        if current is None and not self._warned_missing_monitor:
            self._warned_missing_monitor = True
            available = ",".join(list((logs or {}).keys()))
            hint = _missing_monitor_hint(self.monitor, logs or {})
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {available}{'.' + hint if hint else ''}",
                stacklevel=2,
            )
        return current

    def _record_best_weights(self, epoch: int) -> None:
        """Copies the current weights (copies: a view would follow later updates)."""
        self.best_weights = [np.array(weight, copy=True) for weight in self.model.get_weights()]
        self.best_epoch = epoch
