"""`History`: records the epoch logs of `fit`, and draws and judges them."""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from lamina.callbacks.base import Callback

__all__ = ["History"]


def _classes_of(model: Any) -> int | None:
    """The number of classes a single-output classifier predicts, from its loss and output."""
    loss = getattr(model, "loss", None)
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or getattr(
        loss, "__name__", None)
    if not isinstance(name, str) or "crossentropy" not in name:
        return None
    if "binary" in name:
        return 2
    try:
        units = model.output_shape[-1]
    except (AttributeError, TypeError, ValueError, IndexError):
        return None
    return units if isinstance(units, int) and units >= 2 else None


class History(Callback):
    """Records each epoch's logs; `fit` returns it (and sets `model.history`).

    As in Keras, it holds the epochs of this `fit` call only: a `fit` resumed by
    `BackupAndRestore` at epoch 3 returns `epoch == [3, 4, ...]` and their logs.

    Attributes:
        history: Dict mapping each log key to its list of per-epoch values,
            keys in the order the logs give them (`fit` sorts them, as Keras does).
        epoch: The 0-based indices of the recorded epochs.
        params: `{'verbose': v, 'epochs': e, 'steps': s}` as given by `fit`.
        stopped_epoch: The 0-based epoch after which a callback (EarlyStopping,
            TerminateOnNaN) stopped training, or None when it ran to the end.

    Example:
        >>> history = History()
        >>> history.on_train_begin()
        >>> history.on_epoch_end(0, {"accuracy": 0.8, "loss": 0.5})
        >>> history.history, history.epoch
        ({'accuracy': [0.8], 'loss': [0.5]}, [0])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self.epoch = []
        self.stopped_epoch = None

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def on_train_end(self, logs: Mapping | None = None) -> None:
        if self.epoch and getattr(self.model, "stop_training", False) is True:
            self.stopped_epoch = self.epoch[-1]

    def plot(self, metrics: str | Sequence[str] | None = None,
             path: str | os.PathLike | None = None) -> Any:
        """Draws the learning curves; see `lamina.utils.plot_history`.

        Args:
            metrics: A name or names to draw; defaults to the loss and every metric.
            path: Where to save the figure as PNG (or the format its suffix names).

        Returns:
            The matplotlib Figure.

        Example:
            >>> history = History()
            >>> for epoch, (loss, val_loss) in enumerate([(0.9, 1.0), (0.5, 0.7), (0.4, 0.8)]):
            ...     history.on_epoch_end(epoch, {"loss": loss, "val_loss": val_loss})
            >>> figure = history.plot()
            >>> figure.axes[0].get_xlabel(), figure.axes[0].get_ylabel()
            ('Epoch', 'loss')
        """
        from lamina.utils.plotting import plot_history

        return plot_history(self, metrics=metrics, path=path)

    def diagnose(self, *, y: Any = None, num_classes: int | None = None,
                 baseline_accuracy: float | None = None, baseline_loss: float | None = None):
        """Says whether the run over- or underfits, with evidence and remedies.

        See `lamina.utils.diagnose`. With no baseline argument, a classifier
        trained with a cross-entropy loss gets the uniform-guess baseline of its
        number of output classes.

        Args:
            y: The training labels, for the class-frequency baseline.
            num_classes: The number of classes, for a uniform-guess baseline.
            baseline_accuracy: The accuracy of a model that learned nothing.
            baseline_loss: The loss of a model that learned nothing.

        Returns:
            A `Diagnosis`: `.verdict`, `.evidence`, `.remedies`; print it for a report.

        Example:
            >>> history = History()
            >>> for epoch, loss in enumerate([1.0, 0.5, 0.4, 0.37, 0.37, 0.37]):
            ...     history.on_epoch_end(epoch, {"loss": loss})
            >>> history.diagnose().verdict
            'no validation data'
        """
        from lamina.utils.diagnosis import diagnose

        if y is None and num_classes is None and baseline_accuracy is None \
                and baseline_loss is None:
            num_classes = _classes_of(self.model)
        return diagnose(self, y=y, num_classes=num_classes, baseline_accuracy=baseline_accuracy,
                        baseline_loss=baseline_loss)
