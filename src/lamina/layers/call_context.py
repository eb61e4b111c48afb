"""The state shared by nested layer calls: the training flag and losses added during the call.

Keras propagates `training` from the outermost call to every layer inside it, and collects
`add_loss` terms from all of them; this module is that one piece of shared state.
"""
from __future__ import annotations

import threading

__all__ = ["CallContext", "current", "enter", "record_loss"]

_local = threading.local()


class CallContext:
    """The outermost layer being called, the training flag in force, and the losses added."""

    __slots__ = ("owner", "training", "losses", "outermost")

    def __init__(self, owner, training: bool, losses: list, outermost: bool = False):
        self.owner = owner
        self.training = training
        self.losses = losses
        self.outermost = outermost


def current() -> CallContext | None:
    return getattr(_local, "context", None)


class enter:
    """`with enter(layer, training) as context:` for the duration of one layer call.

    The outermost call opens a context (training defaults to the module's `training` flag,
    False unless the user called `.train()`); inner calls share it, or open a child context
    when they pass a different `training` explicitly.
    """

    __slots__ = ("layer", "training", "outer", "switched")

    def __init__(self, layer, training):
        self.layer = layer
        self.training = training
        self.outer = None
        self.switched = False

    def __enter__(self) -> CallContext:
        outer = getattr(_local, "context", None)
        self.outer = outer
        if outer is None:
            training = self.layer.training if self.training is None else self.training
            context = CallContext(self.layer, bool(training), [], outermost=True)
        elif self.training is None or bool(self.training) == outer.training:
            context = outer
        else:
            context = CallContext(outer.owner, bool(self.training), outer.losses)
        self._switch_module_mode(context.training)
        _local.context = context
        return context

    def _switch_module_mode(self, training: bool) -> None:
        # One training switch: torch modules inside (nn.Dropout, nn.BatchNorm1d) follow
        # Keras' flag for this call. fit/evaluate set the mode once, so a step flips nothing.
        if self.layer.training != training:
            self.layer.train(training)
            self.switched = True

    def __exit__(self, *exc_info) -> None:
        if self.switched:
            self.layer.train(not self.layer.training)
        _local.context = self.outer


def record_loss(layer, loss) -> None:
    """Adds `loss` to the running call's losses (or to `layer`'s own list outside a call)."""
    context = current()
    if context is not None:
        context.losses.append(loss)
    else:
        layer._last_call_losses = list(layer._last_call_losses) + [loss]
