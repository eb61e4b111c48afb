"""`ProgbarLogger`: prints the progress bar and metrics of fit/evaluate/predict."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lamina.callbacks.base import Callback, check_mode
from lamina.utils.io_utils import print_msg

__all__ = ["ProgbarLogger"]


def _new_progbar(target: int | None, verbose: int) -> Any:
    """A `lamina.engine.progbar.Progbar` (imported late: the engine imports callbacks)."""
    from lamina.engine.progbar import Progbar

    return Progbar(target=target, verbose=verbose, unit_name="step", interval=REDRAW_INTERVAL)


# Seconds between redraws of a live bar during fit (Keras redraws every 0.05 s): each redraw
# reads the step's totals back from the device, so at most ~10 a second.
REDRAW_INTERVAL = 0.1


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and drives a progress bar for each epoch.

    `fit` adds one when `verbose != 0`. verbose=1 updates the bar after every
    batch (the bar reads the lazy batch logs only when it redraws);
    verbose=2 prints one line per epoch. Validation inside `fit` is silent; a
    standalone `evaluate` or `predict` gets its own bar.

    Args:
        count_mode: 'steps' (TF-2 code may pass 'samples'; lamina, like
            Keras 3, counts steps either way).

    Example:
        >>> logger = ProgbarLogger()
        >>> logger.set_params({"verbose": "auto", "epochs": 5, "steps": 100})
        >>> logger.verbose, logger.epochs, logger.target
        (1, 5, 100)
    """

    _reads_lazy_batch_logs = True  # redraws from the latest logs only, ~10 times a second

    def __init__(self, count_mode: str = "steps") -> None:
        super().__init__()
        if count_mode not in ("steps", "samples"):
            raise ValueError(
                "Argument `count_mode` must be 'steps' or 'samples'. "
                f"Received: count_mode={count_mode!r}"
            )
        self.count_mode = count_mode
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict | None) -> None:
        super().set_params(params)
        params = params or {}
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def needs_batch_hooks_for(self, mode: str) -> bool:
        """True only when the bar redraws per batch or must count unknown steps."""
        check_mode(mode)
        if mode == "test" and self._called_in_fit:
            return False
        return self.verbose == 1 or self.target is None

    def on_train_begin(self, logs: Mapping | None = None) -> None:
        # Inside `fit`, validation runs silently.
        self._called_in_fit = True

    def on_train_end(self, logs: Mapping | None = None) -> None:
        # So a later standalone `evaluate` with this same logger shows its bar.
        self._called_in_fit = False

    def on_test_begin(self, logs: Mapping | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs: Mapping | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        # The batch's predictions are not metrics: show none.
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: Mapping | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: Mapping | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.progbar is None:
            self.progbar = _new_progbar(self.target, self.verbose)

    def _update_progbar(self, batch: int, logs: Mapping | None) -> None:
        """Advances the bar; the logs mapping is handed over unread (values stay lazy)."""
        self._maybe_init_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, logs, finalize=False)

    def _finalize_progbar(self, logs: Mapping | None) -> None:
        """Draws the final line of the bar with the epoch's (or evaluation's) logs."""
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, dict(logs or {}), finalize=True)
