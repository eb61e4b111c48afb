"""Callback base and CallbackList: ordering, forwarding, logs handling, batch-hook skipping."""
import sys
import types
from collections.abc import Mapping

import numpy as np
import pytest

from lamina.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    History,
    LambdaCallback,
    ProgbarLogger,
)

ALL_HOOKS = [
    ("on_train_begin", ()), ("on_train_end", ()), ("on_test_begin", ()), ("on_test_end", ()),
    ("on_predict_begin", ()), ("on_predict_end", ()),
    ("on_epoch_begin", (1,)), ("on_epoch_end", (1,)),
    ("on_batch_begin", (2,)), ("on_batch_end", (2,)),
    ("on_train_batch_begin", (2,)), ("on_train_batch_end", (2,)),
    ("on_test_batch_begin", (2,)), ("on_test_batch_end", (2,)),
    ("on_predict_batch_begin", (2,)), ("on_predict_batch_end", (2,)),
]


class RaisingLogs(Mapping):
    """Lazy batch logs whose values must not be read (reading would sync the device)."""

    def __getitem__(self, key):
        raise AssertionError(f"batch log {key!r} was read")

    def __iter__(self):
        return iter(["accuracy", "loss"])

    def __len__(self):
        return 2


class Recorder(Callback):
    """Records every hook call as (name, tag, args, logs)."""

    def __init__(self, journal, tag):
        super().__init__()
        self.journal, self.tag = journal, tag

    def __getattribute__(self, name):
        if name.startswith("on_"):
            return lambda *args: self.journal.append((name, self.tag, args[:-1], args[-1]))
        return super().__getattribute__(name)


class FakeModel:
    stop_training = False


def test_default_ordering_is_keras_3():
    user = [EarlyStopping(), Callback()]
    callbacks = CallbackList(user, add_history=True, add_progbar=True)
    assert callbacks.callbacks[:2] == user
    assert [type(cb) for cb in callbacks.callbacks[2:]] == [History, ProgbarLogger]


def test_existing_history_and_progbar_are_reused_in_place():
    history, progbar, other = History(), ProgbarLogger(), Callback()
    callbacks = CallbackList([progbar, [other, history]], add_history=True, add_progbar=True)
    assert callbacks.callbacks == [progbar, other, history]


def test_no_defaults_unless_asked_and_single_callback_accepted():
    stopper = EarlyStopping()
    assert CallbackList(stopper).callbacks == [stopper]
    assert CallbackList().callbacks == []


def test_set_model_and_params_reach_every_callback():
    model = FakeModel()
    user = Callback()
    callbacks = CallbackList([user], add_history=True, add_progbar=True, model=model,
                             verbose=2, epochs=5, steps=7)
    assert all(cb.model is model for cb in callbacks.callbacks)
    assert model.history is callbacks.callbacks[1]
    assert model.history.params == {"verbose": 2, "epochs": 5, "steps": 7}
    assert user.params == {"verbose": 2, "epochs": 5, "steps": 7}


@pytest.mark.parametrize("hook, args", ALL_HOOKS)
def test_every_hook_is_forwarded_in_order(hook, args):
    journal = []
    callbacks = CallbackList([Recorder(journal, "a"), Recorder(journal, "b")])
    getattr(callbacks, hook)(*args, {"loss": 1.0})
    assert [(name, tag, called_args) for name, tag, called_args, _ in journal] == [
        (hook, "a", args), (hook, "b", args)]
    assert journal[0][3] is journal[1][3]


@pytest.mark.parametrize("hook", [h for h, args in ALL_HOOKS if args == (2,)])
def test_batch_logs_pass_through_unread(hook):
    logs = RaisingLogs()
    callbacks = CallbackList([Callback(), EarlyStopping(), ProgbarLogger()],
                             add_history=True, model=FakeModel())
    getattr(callbacks, hook)(0, logs)  # none of them reads the logs or needs them plain


@pytest.mark.parametrize("hook", [h for h, args in ALL_HOOKS if args == (2,)
                                  and h.endswith("batch_end")])
def test_a_user_callback_gets_batch_logs_as_a_dict_it_may_keep(hook):
    torch = pytest.importorskip("torch")
    journal = []
    callbacks = CallbackList([Recorder(journal, "a"), Recorder(journal, "b")])
    lazy = {"loss": 1.5, "outputs": torch.ones(2)}
    getattr(callbacks, hook)(0, lazy)
    kept = journal[0][3]
    assert type(kept) is dict and kept is journal[1][3] and kept is not lazy
    assert kept["loss"] == 1.5 and isinstance(kept["outputs"], np.ndarray)


def test_epoch_logs_become_sorted_floats_shared_by_all_callbacks():
    torch = pytest.importorskip("torch")

    class AddsRate(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["learning_rate"] = 0.5

    callbacks = CallbackList([AddsRate()], add_history=True, model=FakeModel())
    callbacks.on_train_begin()
    callbacks.on_epoch_end(0, {"val_loss": torch.tensor(0.25), "loss": torch.tensor(0.5),
                               "accuracy": 1, "nested": {"val_accuracy": 0.75}})
    history = callbacks.callbacks[-1]
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss",
                                      "learning_rate"]
    assert history.history == {"accuracy": [1.0], "loss": [0.5], "val_accuracy": [0.75],
                               "val_loss": [0.25], "learning_rate": [0.5]}
    assert all(type(values[0]) is float for values in history.history.values())


def test_needs_batch_hooks_for_defaults_and_overrides():
    quiet = CallbackList([Callback(), EarlyStopping(), History()])
    assert not any(quiet.needs_batch_hooks_for(mode) for mode in ("train", "test", "predict"))

    class OldStyle(Callback):
        def on_batch_end(self, batch, logs=None):
            pass

    class TestBatch(Callback):
        def on_test_batch_begin(self, batch, logs=None):
            pass

    for callback, expected in [
        (OldStyle(), (True, False, False)),
        (TestBatch(), (False, True, False)),
        (LambdaCallback(on_train_batch_end=lambda batch, logs: None), (True, False, False)),
        (LambdaCallback(on_predict_batch_end=lambda batch, logs: None), (False, False, True)),
        (LambdaCallback(on_epoch_end=lambda epoch, logs: None), (False, False, False)),
    ]:
        callbacks = CallbackList([Callback(), callback])
        assert tuple(callbacks.needs_batch_hooks_for(m) for m in ("train", "test", "predict")) == expected


def test_needs_batch_hooks_for_rejects_unknown_mode():
    with pytest.raises(ValueError, match="Argument `mode` must be one of 'train', 'test', 'predict'. Received: mode='eval'"):
        CallbackList([]).needs_batch_hooks_for("eval")


def test_class_instead_of_instance_gets_parentheses_hint():
    with pytest.raises(TypeError, match=r"received the class EarlyStopping\. Did you forget the parentheses\? Use EarlyStopping\(\)\."):
        CallbackList([EarlyStopping])


def test_non_callback_is_rejected():
    with pytest.raises(TypeError, match="expects instances of keras.callbacks.Callback, but received 'stop' of type str"):
        CallbackList(["stop"])


def test_model_property_unwraps_distributed_data_parallel(monkeypatch):
    class FakeDDP:
        def __init__(self, module):
            self.module = module

    monkeypatch.setitem(sys.modules, "torch.nn.parallel", types.SimpleNamespace(DistributedDataParallel=FakeDDP))
    inner = FakeModel()
    callback = Callback()
    callback.set_model(FakeDDP(inner))
    assert callback.model is inner


def test_train_batch_hooks_forward_to_tf2_aliases():
    seen = []

    class OldStyle(Callback):
        def on_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            seen.append(("end", batch))

    callback = OldStyle()
    callback.on_train_batch_begin(3)
    callback.on_train_batch_end(3, {})
    assert seen == [("begin", 3), ("end", 3)]
