"""`Diagnose`: prints the verdict on the run (over-/underfitting, ...) when `fit` ends."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lamina.callbacks.base import Callback

__all__ = ["Diagnose", "with_diagnose"]


class Diagnose(Callback):
    """At the end of `fit`, judges the learning curves and prints the verdict.

    `fit` adds one by itself when `lamina.config.set_diagnose(True)` is on and
    `verbose` is not 0. The arguments are the optional baselines of
    `History.diagnose`.

    Args:
        y: The training labels, for the class-frequency baseline.
        num_classes: The number of classes, for a uniform-guess baseline.
        baseline_accuracy: The accuracy of a model that learned nothing.
        baseline_loss: The loss of a model that learned nothing.
        verbose: 1 prints the report; 0 only stores it in `diagnosis`.

    Attributes:
        diagnosis: The `Diagnosis` of the last `fit`, or None before one ended.

    Example:
        >>> import lamina as keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> judge = Diagnose(verbose=0)
        >>> _ = model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=3, verbose=0,
        ...               callbacks=[judge])
        >>> judge.diagnosis.verdict
        'no validation data'
    """

    def __init__(self, y: Any = None, num_classes: int | None = None,
                 baseline_accuracy: float | None = None, baseline_loss: float | None = None,
                 verbose: int = 1) -> None:
        super().__init__()
        self.baselines = {"y": y, "num_classes": num_classes,
                          "baseline_accuracy": baseline_accuracy, "baseline_loss": baseline_loss}
        self.verbose = verbose
        self.diagnosis = None

    def on_train_end(self, logs: Mapping | None = None) -> None:
        history = getattr(self.model, "history", None)
        if history is None or not history.history:
            return
        self.diagnosis = history.diagnose(**self.baselines)
        if self.verbose:
            print(self.diagnosis, flush=True)


def with_diagnose(callbacks: Any) -> Any:
    """`callbacks` with a `Diagnose` appended, unless one is already among them.

    Example:
        >>> [type(callback).__name__ for callback in with_diagnose(None)[1:]]
        ['Diagnose']
    """
    flat, pending = [], [callbacks]
    while pending:
        item = pending.pop()
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        else:
            flat.append(item)
    if any(isinstance(callback, Diagnose) for callback in flat):
        return callbacks
    return [[] if callbacks is None else callbacks, Diagnose()]
