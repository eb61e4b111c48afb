"""`History`: records the epoch logs of `fit`."""
from __future__ import annotations

from typing import Mapping

from lamina.callbacks.base import Callback

__all__ = ["History"]


class History(Callback):
    """Records each epoch's logs; `fit` returns it (and sets `model.history`).

    Attributes:
        history: Dict mapping each log key to its list of per-epoch values,
            keys in the order the logs give them (`fit` sorts them, as Keras does).
        epoch: The 0-based indices of the recorded epochs.
        params: `{'verbose': v, 'epochs': e, 'steps': s}` as given by `fit`.

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

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
