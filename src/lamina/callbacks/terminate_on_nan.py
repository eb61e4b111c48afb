"""`TerminateOnNaN`: stop training when the loss becomes NaN or infinite."""
from __future__ import annotations

import math
from collections.abc import Mapping

from lamina.callbacks.base import Callback
from lamina.utils.io_utils import print_msg

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Stops training at the first batch whose loss is NaN or infinite.

    It reads the loss after every batch, which waits for the device each
    step: training with it is slower than without.

    Args:
        raise_error: Raise a RuntimeError instead of stopping quietly.

    Example:
        >>> TerminateOnNaN().raise_error
        False
    """

    _reads_lazy_batch_logs = True  # reads a batch's logs when called, keeps none

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
