"""`ReduceLROnPlateau`: lower the learning rate when a metric stops improving."""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from lamina.callbacks.learning_rate_scheduler import current_learning_rate
from lamina.callbacks.monitor_callback import MonitorCallback, _missing_monitor_hint
from lamina.utils.io_utils import print_msg

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` after `patience` epochs without improvement.

    Args:
        monitor: Log key to watch. Defaults to 'val_loss'.
        factor: Multiplier of the learning rate (< 1). Defaults to 0.1.
        patience: Epochs without improvement before reducing. Defaults to 10.
        verbose: 1 prints each reduction.
        mode: 'auto', 'min' or 'max'.
        min_delta: Smallest change that counts as an improvement. Defaults to 1e-4.
        cooldown: Epochs to wait after a reduction before counting again.
        min_lr: Lower bound of the learning rate.
        **kwargs: TF-2's `epsilon` (an old name of `min_delta`).

    Example:
        >>> ReduceLROnPlateau(factor=0.5, patience=2).factor
        0.5
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn(
                "`epsilon` argument is deprecated and will be removed, use `min_delta` instead.",
                stacklevel=2,
            )
        if kwargs:
            raise TypeError(
                f"ReduceLROnPlateau got unexpected keyword arguments: {sorted(kwargs)}."
            )
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self._reset()

    def _reset(self) -> None:
        """Clears the wait and cooldown counters and the best value."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """Whether a recent reduction still blocks counting epochs."""
        return self.cooldown_counter > 0

    def state_dict(self) -> dict:
        """What `BackupAndRestore` keeps: the best value and the two counters."""
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def load_state_dict(self, state: Mapping) -> None:
        """Restores what `state_dict` returned."""
        self.best, self.wait = state["best"], state["wait"]
        self.cooldown_counter = state["cooldown_counter"]

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = {} if logs is None else logs
        if self.monitor_op is None:
            self._set_monitor_op(logs)
        logs["learning_rate"] = current_learning_rate(self.model.optimizer)
        current = self._monitor_value(logs)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(list(logs.keys()))}."
                f"{_missing_monitor_hint(self.monitor, logs)}",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_learning_rate(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce_learning_rate(self, epoch: int) -> bool:
        """Lowers the rate (not below `min_lr`); returns whether it changed."""
        optimizer = self.model.optimizer
        old_rate = current_learning_rate(optimizer)
        if old_rate <= np.float32(self.min_lr):
            return False
        new_rate = max(old_rate * self.factor, self.min_lr)
        optimizer.learning_rate = new_rate
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_rate}."
            )
        return True
