"""`SwapEMAWeights`: evaluate, predict and save with an optimizer's averaged weights."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from lamina.callbacks.base import Callback

__all__ = ["SwapEMAWeights"]


def _ema_optimizer(model: Any) -> Any:
    """The model's optimizer (unwrapped from a loss-scale wrapper), checked for `use_ema`."""
    optimizer = model.optimizer
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    if not getattr(optimizer, "use_ema", False) or "average" not in optimizer._slots:
        raise ValueError(
            "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
            f"Received: use_ema={getattr(optimizer, 'use_ema', None)}. Compile with e.g. "
            "optimizer=keras.optimizers.Adam(use_ema=True), and train at least one step "
            "before evaluating."
        )
    return optimizer


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's moving averages while they are used.

    During `evaluate` / `predict` (and the validation inside `fit`) the model
    holds the averaged weights and gets its own back afterwards. With
    `swap_on_epoch=True` the averaged weights are also in the model from the
    end of each epoch to the start of the next, so callbacks that come after
    this one (`ModelCheckpoint`, for example) save the averaged weights.

    Args:
        swap_on_epoch: Also swap at epoch ends (see above).

    Example:
        >>> model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
        >>> model.compile(optimizer=lamina.optimizers.SGD(use_ema=True), loss="mse")
        >>> callbacks = [SwapEMAWeights(swap_on_epoch=True)]
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _swap_variables(self) -> None:
        optimizer = _ema_optimizer(self.model)
        with torch.no_grad():
            for variable, average in zip(optimizer._trainable_variables,
                                         optimizer._slots["average"]):
                own = variable.detach().clone()
                variable.copy_(average)
                average.copy_(own)

    def _finalize_ema_values(self) -> None:
        """Averages := model weights (which hold the averages now), as Keras does at the end."""
        optimizer = _ema_optimizer(self.model)
        with torch.no_grad():
            for variable, average in zip(optimizer._trainable_variables,
                                         optimizer._slots["average"]):
                average.copy_(variable)

    def _put_averages_in(self) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def _take_averages_out(self) -> None:
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        if self.swap_on_epoch:
            self._take_averages_out()

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._put_averages_in()
            if epoch == self.params["epochs"] - 1:
                # Training ends with the averages in the model; keep both copies equal.
                self._finalize_ema_values()

    def on_test_begin(self, logs: Mapping | None = None) -> None:
        self._put_averages_in()

    def on_test_end(self, logs: Mapping | None = None) -> None:
        self._take_averages_out()

    def on_predict_begin(self, logs: Mapping | None = None) -> None:
        self._put_averages_in()

    def on_predict_end(self, logs: Mapping | None = None) -> None:
        self._take_averages_out()
