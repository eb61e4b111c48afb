"""The state shared by nested layer calls: the training flag and losses added during the call.

Keras propagates `training` from the outermost call to every layer inside it, and collects
`add_loss` terms from all of them; this module is that one piece of shared state.
"""
from __future__ import annotations

import inspect
import threading

__all__ = ["CallContext", "current", "enter", "record_loss", "user_step"]

_local = threading.local()


class CallContext:
    """The outermost layer being called, the training flag in force, and the losses added.

    `training` is None while no call has set it (a layer called directly, or a model called
    without `training=`): each layer then runs with the default of its own `call` signature,
    as in Keras (`RandomFlip` augments, `Dropout` does not).
    """

    __slots__ = ("losses", "outermost", "owner", "training")

    def __init__(self, owner, training: bool, losses: list, outermost: bool = False):
        self.owner = owner
        self.training = training
        self.losses = losses
        self.outermost = outermost


def current() -> CallContext | None:
    return getattr(_local, "context", None)


class enter:
    """`with enter(layer, training) as context:` for the duration of one layer call.

    The training flag of the call is, in Keras' order: the `training` passed to it; else the
    flag of an outer call; else (outermost call only) True when the user switched the module
    to train mode with `.train()`; else the default of the layer's `call` signature (None when
    it has none). The context holds that flag: inner calls share it, or open a child context
    when their flag differs.
    """

    __slots__ = ("layer", "outer", "switched", "training")

    def __init__(self, layer, training):
        self.layer = layer
        self.training = training
        self.outer = None
        self.switched = False

    def __enter__(self) -> CallContext:
        outer = getattr(_local, "context", None)
        self.outer = outer
        training = self._resolve(outer)
        if outer is None:
            context = CallContext(self.layer, training, [], outermost=True)
        elif training is outer.training:
            context = outer
        else:
            context = CallContext(outer.owner, training, outer.losses)
        self._switch_module_mode(bool(training))
        _local.context = context
        return context

    def _resolve(self, outer):
        if self.training is not None:
            return bool(self.training)
        if outer is not None and outer.training is not None:
            return outer.training
        if outer is None and self.layer.training and not getattr(_local, "in_user_step", False):
            return True
        return signature_default(self.layer)

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


class user_step:
    """`with user_step():` around a user's `train_step`: the train mode that `fit` set on the
    modules is not a user's `.train()`, so `self(x)` without `training=` inside the step runs
    with each layer's own default (BatchNormalization and Dropout in inference), as in Keras."""

    def __enter__(self):
        self.outer = getattr(_local, "in_user_step", False)
        _local.in_user_step = True

    def __exit__(self, *exc_info) -> None:
        _local.in_user_step = self.outer


_SIGNATURE_DEFAULTS: dict = {}


def signature_default(layer):
    """The bool default of `training` in the layer's `call` signature, else None."""
    call = type(layer).call
    if call not in _SIGNATURE_DEFAULTS:
        parameter = inspect.signature(call).parameters.get("training")
        default = None if parameter is None else parameter.default
        _SIGNATURE_DEFAULTS[call] = default if isinstance(default, bool) else None
    return _SIGNATURE_DEFAULTS[call]


def record_loss(layer, loss) -> None:
    """Adds `loss` to the running call's losses (or to `layer`'s own list outside a call)."""
    context = current()
    if context is not None:
        context.losses.append(loss)
    else:
        layer._last_call_losses = list(layer._last_call_losses) + [loss]
