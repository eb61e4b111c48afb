"""`LearningRateScheduler`: set the learning rate from a function of the epoch."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lamina.callbacks.base import Callback
from lamina.utils.io_utils import print_msg

__all__ = ["LearningRateScheduler"]


def current_learning_rate(optimizer: Any) -> float:
    """The optimizer's learning rate as a Python float (one device read).

    Example:
        >>> class Opt: learning_rate = 0.5
        >>> current_learning_rate(Opt())
        0.5
    """
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            'Optimizer must have a "learning_rate" attribute. '
            f"Received optimizer of type {type(optimizer).__name__}."
        )
    return float(optimizer.learning_rate)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of each epoch.

    Args:
        schedule: `schedule(epoch, lr) -> new_lr` (epoch 0-based), or
            `schedule(epoch) -> new_lr`; it must return a float.
        verbose: 1 prints the rate set at each epoch.

    Example:
        >>> scheduler = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
        >>> scheduler.verbose
        0
    """

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "Argument `schedule` of LearningRateScheduler must be a function of "
                f"(epoch, lr) or (epoch), but received {schedule!r}."
            )
        self.schedule = schedule
        self.verbose = verbose

    def _scheduled_rate(self, epoch: int, learning_rate: float) -> float:
        """Calls the schedule with (epoch, lr), or with (epoch) when it takes one argument."""
        try:
            new_rate = self.schedule(epoch, learning_rate)
        except TypeError:
            new_rate = self.schedule(epoch)
        if not isinstance(new_rate, (float, np.floating)):
            raise ValueError(  # noqa: TRY004 - Keras raises ValueError here
                "The output of the `schedule` function should be a float. "
                f"Got: {new_rate!r}. Return e.g. `float(lr)`."
            )
        return float(new_rate)

    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        optimizer = self.model.optimizer
        learning_rate = self._scheduled_rate(epoch, current_learning_rate(optimizer))
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                f"{learning_rate}."
            )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = current_learning_rate(self.model.optimizer)
