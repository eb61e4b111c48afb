"""`MonitorCallback`: shared logic of callbacks that watch one logged quantity."""
from __future__ import annotations

import difflib
import operator
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from lamina.callbacks.base import Callback

__all__ = ["MonitorCallback"]

# Keras metrics whose `_direction` is "up", for monitors with no metric
# object to ask (facts: names containing 'acc' or 'auc' are maximised).
_MAXIMISED_NAME_PARTS = ("acc", "auc", "precision", "recall", "f1_score", "iou", "r2_score")


def _model_metrics(model: Any) -> list:
    """The model's metric objects, one level of metric containers unpacked."""
    found = []
    for metric in getattr(model, "metrics", None) or []:
        found.append(metric)
        found.extend(getattr(metric, "metrics", None) or [])
    return found


class MonitorCallback(Callback):
    """Base for callbacks that compare a monitored log value with its best so far.

    Direction: `mode='min'` or `'max'`; `'auto'` uses the metric object's
    `_direction` ('up'/'down') when the model has one of that name, else
    maximises names containing 'acc', 'auc', 'precision', 'recall', … and
    minimises the rest (`loss` included). As in Keras, an auto-mode monitor
    that is neither logged nor a metric's name (a typo such as 'val_acc'), or
    that names a user's metric without `_direction`, raises ValueError at the
    end of the first epoch.

    Args:
        monitor: The log key to watch, e.g. 'val_loss'.
        mode: 'auto', 'min' or 'max' (an unknown mode warns and falls back to 'auto').
        baseline: Initial best value, or None to take the first value seen.
        min_delta: Smallest change that counts as an improvement (sign ignored).

    Example:
        >>> monitor = MonitorCallback("val_accuracy")
        >>> monitor._set_monitor_op()
        >>> monitor._is_improvement(0.9, 0.8)
        True
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None
        self._signed_min_delta = self.min_delta

    def _monitor_direction(self, logs: Mapping | None = None) -> str:
        """'up' when the monitored quantity should grow, 'down' otherwise."""
        if self.mode != "auto":
            return "up" if self.mode == "max" else "down"
        metric_name = self.monitor.removeprefix("val_")
        if metric_name == "loss":
            return "down"
        metrics = _model_metrics(self.model)
        for metric in metrics:
            direction = getattr(metric, "_direction", None)
            if getattr(metric, "name", None) != metric_name:
                continue
            if direction in ("up", "down"):
                return direction
            if not type(metric).__module__.startswith("lamina."):
                # A user's metric says nothing of its direction: Keras refuses to guess
                # (a custom "f1" read as a loss would stop training at its best epochs).
                self._raise_unknown_direction(logs or {})
        if logs is not None and self.monitor not in logs and not any(
                getattr(metric, "name", None) == metric_name for metric in metrics):
            self._raise_unknown_direction(logs)
        return "up" if any(part in metric_name for part in _MAXIMISED_NAME_PARTS) else "down"

    def _raise_unknown_direction(self, logs: Mapping) -> None:
        """Keras' ValueError for an auto-mode monitor that names no logged quantity."""
        raise ValueError(
            f"{type(self).__name__} callback received monitor={self.monitor}, but Keras "
            "isn't able to automatically determine whether that metric should be "
            "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
            "highest metric value, or pass `mode='min'` in order to use the lowest value. "
            + (f"The logged quantities are: {', '.join(logs)}."
               f"{_spelling_hint(self.monitor, logs)}" if logs else "")
        )

    def _set_monitor_op(self, logs: Mapping | None = None) -> None:
        """Chooses the comparison once the model (and its metrics) is known.

        With the epoch's `logs`, an auto-mode monitor that is neither logged nor
        the name of a model metric raises ValueError, as in Keras.
        """
        if self._monitor_direction(logs) == "up":
            self.monitor_op, self._signed_min_delta = operator.gt, self.min_delta
        else:
            self.monitor_op, self._signed_min_delta = operator.lt, -self.min_delta

    def _is_improvement(self, monitor_value: float, reference_value: float | None) -> bool:
        """Whether `monitor_value` beats `reference_value` by more than `min_delta`."""
        if reference_value is None:
            return True
        # Keras compares in float32 (its ops cast Python floats to floatx), which
        # decides ties such as 0.4 - 0.1 vs 0.3; match it exactly.
        shifted = np.float32(monitor_value - self._signed_min_delta)
        return bool(self.monitor_op(shifted, np.float32(reference_value)))

    def _monitor_value(self, logs: Mapping | None) -> float | None:
        """The monitored value from `logs` as a float, or None when it is missing."""
        value = (logs or {}).get(self.monitor)
        return None if value is None else float(value)


def _missing_monitor_hint(monitor: str, logs: Mapping) -> str:
    """Why `monitor` is not in `logs`: no validation this epoch, or a near miss of a key."""
    if monitor.startswith("val_") and not any(key.startswith("val_") for key in logs):
        return (" The logs of this epoch have no `val_` quantities: `fit` logs them only with "
                "`validation_data=` or `validation_split=` (on the epochs `validation_freq` "
                "selects).")
    return _spelling_hint(monitor, logs)


def _spelling_hint(monitor: str, logs: Mapping) -> str:
    """Names the logged key the user most likely meant ('val_acc' for 'val_accuracy')."""
    swapped = (monitor.replace("accuracy", "acc") if "accuracy" in monitor
               else monitor.replace("acc", "accuracy"))
    if swapped in logs:
        metric = swapped.removeprefix("val_")
        return (f" The logs name it {swapped!r} because the model was compiled with "
                f"metrics=[{metric!r}]: pass monitor={swapped!r}, or compile with "
                f"metrics=[{monitor.removeprefix('val_')!r}].")
    close = difflib.get_close_matches(monitor, list(logs), n=1)
    return f" Did you mean monitor={close[0]!r}?" if close else ""
