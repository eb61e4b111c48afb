"""`LearningCurves`: a training history read once, for plotting and diagnosis.

Both `plot_history` and `diagnose` take what a learner has at hand — lamina's or
Keras' `History` object, or the plain `history.history` dict — and need the same
things from it: each logged quantity as numbers, the epoch each value belongs to,
and whether training was stopped early.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

__all__ = ["LearningCurves", "higher_is_better"]

# Log keys that are settings, not learning curves (ReduceLROnPlateau and schedulers log them).
_SETTING_KEYS = ("learning_rate", "lr")
# Quantities that improve upwards; the same name parts MonitorCallback's 'auto' mode maximises.
_MAXIMISED_NAME_PARTS = ("acc", "auc", "precision", "recall", "f1_score", "iou", "r2_score")


def higher_is_better(name: str) -> bool:
    """Whether a larger value of the logged quantity `name` is better.

    Losses and errors improve downwards; accuracy-like names ('accuracy',
    'val_auc', 'precision', ...) improve upwards, as in EarlyStopping's 'auto' mode.

    Example:
        >>> higher_is_better("val_accuracy"), higher_is_better("loss"), higher_is_better("mae")
        (True, False, False)
    """
    base = name.removeprefix("val_")
    return base != "loss" and any(part in base for part in _MAXIMISED_NAME_PARTS)


def _as_history_dict(history: Any) -> Mapping:
    """The dict of per-epoch lists held by a History (lamina's or Keras') or given as is."""
    logs = history if isinstance(history, Mapping) else getattr(history, "history", None)
    if not isinstance(logs, Mapping):
        raise TypeError(
            "Expected the History returned by `model.fit(...)` or its `history.history` dict "
            f"of per-epoch lists, but received {type(history).__name__}. Use "
            "`history = model.fit(...)` and pass `history`.")
    if not logs:
        raise ValueError(
            "The history is empty: no epoch was recorded. Train with `model.fit(..., epochs=N)` "
            "first and pass the History it returns.")
    return logs


def _scalar_series(values: Any) -> np.ndarray | None:
    """The values as a float64 vector, or None when an entry is not one number."""
    try:
        series = np.asarray(list(values), dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return series if series.ndim == 1 else None


def _validation_positions(num_epochs: int, num_values: int) -> np.ndarray:
    """Indices of the epochs a shorter series belongs to.

    With `validation_freq=f`, Keras validates after every f-th epoch, so the
    `val_` lists are shorter than the training lists; f is recovered as
    `num_epochs // num_values`.
    """
    if num_values >= num_epochs:
        return np.arange(num_values)
    every = num_epochs // max(num_values, 1)
    return every * np.arange(1, num_values + 1) - 1


def _stopped_epoch(history: Any) -> int | None:
    """0-based epoch at which a callback stopped training, or None."""
    if hasattr(history, "stopped_epoch"):
        return history.stopped_epoch
    # A Keras History records no stop; its model's flag still tells after fit returns.
    model = getattr(history, "model", None)
    epochs = list(getattr(history, "epoch", None) or [])
    if epochs and getattr(model, "stop_training", False) is True:
        return epochs[-1]
    return None


@dataclass(frozen=True)
class LearningCurves:
    """Every scalar log series of a history with the epoch number of each value.

    Attributes:
        values: Log key -> float64 vector of its per-epoch values ('loss',
            'val_loss', 'accuracy', ...); keys whose entries are not single
            numbers (per-class F1 arrays) are left out.
        epochs: Log key -> the 1-based epoch number of each value (as the
            progress bar prints them; `val_` keys of a `validation_freq` run are sparser).
        stopped_epoch: 1-based epoch at which a callback (EarlyStopping,
            TerminateOnNaN) stopped training, or None when training ran to the end.
        non_scalar: Log keys that were left out because their entries are arrays.

    Example:
        >>> curves = LearningCurves.from_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})
        >>> curves.names(), curves.epochs["val_loss"].tolist()
        (['loss'], [1, 2])
    """

    values: dict
    epochs: dict
    stopped_epoch: int | None = None
    non_scalar: tuple = ()

    @classmethod
    def from_history(cls, history: Any) -> "LearningCurves":
        """Reads a History (lamina's or Keras'), or a `history.history` dict.

        Args:
            history: The object `fit` returns, or its `.history` dict of lists.

        Returns:
            The history's `LearningCurves`.

        Raises:
            TypeError: `history` is neither a History nor a dict.
            ValueError: the history holds no epoch.
        """
        logs = _as_history_dict(history)
        values, non_scalar = {}, []
        for key, entries in logs.items():
            series = _scalar_series(entries)
            if series is None:
                non_scalar.append(key)
            else:
                values[key] = series
        num_epochs = max(len(series) for series in values.values()) if values else 0
        recorded = list(getattr(history, "epoch", None) or [])
        first_epoch = recorded[0] if len(recorded) == num_epochs and recorded else 0
        epoch_numbers = first_epoch + 1 + np.arange(num_epochs)
        epochs = {key: epoch_numbers[_validation_positions(num_epochs, len(series))]
                  for key, series in values.items()}
        stopped = _stopped_epoch(history)
        return cls(values, epochs, None if stopped is None else int(stopped) + 1, tuple(non_scalar))

    def names(self) -> list[str]:
        """The trained quantities: 'loss' first, then the other metrics in log order.

        `val_` keys pair with these names; settings such as 'learning_rate' are left out.
        """
        names = [key for key in self.values
                 if not key.startswith("val_") and key not in _SETTING_KEYS]
        return sorted(names, key=lambda name: name != "loss")
