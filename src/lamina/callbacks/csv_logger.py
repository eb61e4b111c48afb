"""`CSVLogger`: write each epoch's logs as a row of a CSV file."""
from __future__ import annotations

import collections.abc
import csv
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from lamina.callbacks.base import Callback

__all__ = ["CSVLogger"]


def _csv_value(value: Any) -> Any:
    """A log value as written: sequences (not strings or 0-d arrays) as a quoted list."""
    is_scalar_array = isinstance(value, np.ndarray) and value.ndim == 0
    if isinstance(value, str) or is_scalar_array:
        return value
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Streams epoch results to a CSV file: an `epoch` column, then the log keys sorted.

    When the first epoch has no `val_` keys, `val_` columns are added anyway
    (filled with 'NA'), as Keras does.

    Args:
        filename: Path of the CSV file.
        separator: Column separator. Defaults to ','.
        append: Append to an existing file (its header is kept) instead of overwriting.

    Example:
        >>> logger = CSVLogger("training.log", separator=";")
        >>> logger.sep
        ';'
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        mode = "w"
        if self.append:
            mode = "a"
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as existing:
                    self.append_header = not existing.readline()
        self._close()
        # Stays open across epochs (closed at on_train_end), as in Keras.
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")  # noqa: SIM115
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend([f"val_{key}" for key in self.keys])
        if self.writer is None:
            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch"] + self.keys, delimiter=self.sep,
                lineterminator="\r\n",
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: Mapping | None = None) -> None:
        self._close()

    def _close(self) -> None:
        """Closes the file if open and forgets the writer."""
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
