"""History contents and ProgbarLogger: epoch lines, progbar calls, lazy batch logs."""
import sys
import types
from collections.abc import Mapping

import numpy as np
import pytest

import lamina as keras
from lamina.callbacks import CallbackList, History, ProgbarLogger


class RaisingLogs(Mapping):
    """Lazy batch logs whose values must not be read."""

    def __getitem__(self, key):
        raise AssertionError(f"batch log {key!r} was read")

    def __iter__(self):
        return iter(["loss"])

    def __len__(self):
        return 1


class FakeProgbar:
    """Records construction and update calls; never reads the values."""

    instances = []  # noqa: RUF012

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target, self.verbose, self.unit_name = target, verbose, unit_name
        self.updates = []
        FakeProgbar.instances.append(self)

    def update(self, current, values=None, finalize=None):
        self.updates.append((current, values, finalize))


@pytest.fixture
def fake_progbar(monkeypatch):
    FakeProgbar.instances = []
    monkeypatch.setitem(sys.modules, "lamina.engine.progbar", types.SimpleNamespace(Progbar=FakeProgbar))
    return FakeProgbar


class FakeModel:
    stop_training = False


def run_fit(callbacks, epochs, steps, batch_logs=None, validation=False):
    """Drives fit-shaped hook calls; epoch logs are {'loss': epoch, 'val_loss': ...}."""
    callbacks.on_train_begin()
    for epoch in range(epochs):
        callbacks.on_epoch_begin(epoch)
        if callbacks.needs_batch_hooks_for("train"):
            for step in range(steps):
                callbacks.on_train_batch_begin(step)
                callbacks.on_train_batch_end(step, batch_logs)
        logs = {"loss": float(epoch)}
        if validation:
            callbacks.on_test_begin()
            if callbacks.needs_batch_hooks_for("test"):
                callbacks.on_test_batch_end(0, batch_logs)
            callbacks.on_test_end({"loss": 9.0})
            logs["val_loss"] = 9.0
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end(logs)


def test_history_records_every_epoch_in_order():
    model = FakeModel()
    callbacks = CallbackList([], add_history=True, model=model, verbose=0, epochs=3, steps=2)
    run_fit(callbacks, 3, 2, validation=True)
    history = model.history
    assert isinstance(history, History)
    assert history.history == {"loss": [0.0, 1.0, 2.0], "val_loss": [9.0, 9.0, 9.0]}
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}


def test_history_keeps_the_key_order_it_is_given():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"z": 1.0, "a": 2.0})
    history.on_epoch_end(1, {"z": 3.0, "a": 4.0})
    assert list(history.history) == ["z", "a"]
    assert history.history == {"z": [1.0, 3.0], "a": [2.0, 4.0]}


@pytest.mark.parametrize(
    "verbose, epochs, expected",
    [
        (1, 3, "Epoch 1/3\nEpoch 2/3\nEpoch 3/3\n"),
        ("auto", 2, "Epoch 1/2\nEpoch 2/2\n"),
        (2, 2, "Epoch 1/2\nEpoch 2/2\n"),
        (1, 1, ""),
        (0, 3, ""),
    ],
)
def test_epoch_lines(fake_progbar, capsys, verbose, epochs, expected):
    callbacks = CallbackList([], add_progbar=True, model=FakeModel(), verbose=verbose,
                             epochs=epochs, steps=2)
    run_fit(callbacks, epochs, 2)
    assert capsys.readouterr().out == expected


def test_verbose_1_updates_every_step_with_unread_lazy_logs(fake_progbar):
    logs = RaisingLogs()
    callbacks = CallbackList([], add_progbar=True, add_history=True, model=FakeModel(),
                             verbose=1, epochs=2, steps=3)
    run_fit(callbacks, 2, 3, batch_logs=logs, validation=True)
    assert len(fake_progbar.instances) == 2  # one bar per epoch; validation makes none
    for epoch, bar in enumerate(fake_progbar.instances):
        assert (bar.target, bar.verbose, bar.unit_name) == (3, 1, "step")
        assert [(current, finalize) for current, _, finalize in bar.updates] == [
            (1, False), (2, False), (3, False), (3, True)]
        assert all(values is logs for _, values, _ in bar.updates[:3])
        assert dict(bar.updates[3][1]) == {"loss": float(epoch), "val_loss": 9.0}


def test_verbose_2_skips_batch_hooks_and_finalizes_once(fake_progbar):
    callbacks = CallbackList([], add_progbar=True, model=FakeModel(), verbose=2, epochs=2, steps=4)
    callbacks.on_train_begin()
    assert not callbacks.needs_batch_hooks_for("train")
    assert not callbacks.needs_batch_hooks_for("test")
    run_fit(callbacks, 2, 4, batch_logs=RaisingLogs())
    for bar in fake_progbar.instances:
        assert bar.verbose == 2
        assert [(current, finalize) for current, _, finalize in bar.updates] == [(4, True)]


def test_needs_batch_hooks_for_progbar_logger():
    logger = ProgbarLogger()
    logger.set_params({"verbose": 1, "epochs": 1, "steps": 5})
    assert logger.needs_batch_hooks_for("train") and logger.needs_batch_hooks_for("test")
    logger.on_train_begin()
    assert not logger.needs_batch_hooks_for("test")  # validation inside fit is silent
    logger.on_train_end()
    assert logger.needs_batch_hooks_for("test")
    logger.set_params({"verbose": 2, "epochs": 1, "steps": None})
    assert logger.needs_batch_hooks_for("train")  # it must count the unknown steps


def test_unknown_steps_take_the_count_seen(fake_progbar):
    callbacks = CallbackList([], add_progbar=True, model=FakeModel(), verbose=2, epochs=2, steps=None)
    run_fit(callbacks, 2, 5)
    first, second = fake_progbar.instances
    assert first.updates == [(5, {"loss": 0.0}, True)]
    assert first.target == 5 and second.target == 5


def test_standalone_evaluate_and_predict_get_a_bar(fake_progbar):
    logs = RaisingLogs()
    callbacks = CallbackList([], add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    callbacks.on_test_begin()
    assert callbacks.needs_batch_hooks_for("test")
    for step in range(2):
        callbacks.on_test_batch_end(step, logs)
    callbacks.on_test_end({"loss": 0.5, "accuracy": 0.75})
    callbacks.on_predict_begin()
    for step in range(2):
        callbacks.on_predict_batch_end(step, {"outputs": object()})
    callbacks.on_predict_end()
    evaluate_bar, predict_bar = fake_progbar.instances
    assert evaluate_bar.updates == [(1, logs, False), (2, logs, False),
                                    (2, {"accuracy": 0.75, "loss": 0.5}, True)]
    assert predict_bar.updates == [(1, None, False), (2, None, False), (2, {}, True)]


def test_count_mode_is_checked():
    assert ProgbarLogger(count_mode="samples").count_mode == "samples"
    with pytest.raises(ValueError, match="Argument `count_mode` must be 'steps' or 'samples'. Received: count_mode='batches'"):
        ProgbarLogger(count_mode="batches")


def test_real_progbar_does_not_read_lazy_logs_between_renders(capsys):
    logger = ProgbarLogger()
    logger.set_params({"verbose": 1, "epochs": 1, "steps": 1000})
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    logger.progbar.interval = 3600.0  # no redraw during the epoch after the first one
    logger.on_train_batch_end(0, {"loss": 1.0})
    for step in range(1, 999):
        logger.on_train_batch_end(step, RaisingLogs())
    logger.on_epoch_end(0, {"loss": 0.5})
    assert "loss: 0.5000" in capsys.readouterr().out


class CountingLogs(Mapping):
    """Batch logs that count how often the bar reads them (each read is a device sync)."""

    reads = 0

    def __getitem__(self, key):
        return 1.0

    def __iter__(self):
        CountingLogs.reads += 1
        return iter(["loss"])

    def __len__(self):
        return 1


def test_a_live_bar_reads_the_totals_at_most_ten_times_a_second(monkeypatch, capsys):
    import lamina.engine.progbar as progbar

    clock = types.SimpleNamespace(now=1000.0)
    monkeypatch.setattr(progbar.time, "time", lambda: clock.now)
    monkeypatch.setattr(progbar, "is_interactive_output", lambda: True)
    logger = ProgbarLogger()
    logger.set_params({"verbose": 1, "epochs": 1, "steps": 2001})
    logger.on_train_begin()
    logger.on_epoch_begin(0)
    CountingLogs.reads = 0
    for step in range(2000):  # 2 000 steps of 1 ms: two seconds
        clock.now += 1e-3
        logger.on_train_batch_end(step, CountingLogs())
    assert 15 <= CountingLogs.reads <= 21


def test_history_params_keep_the_verbose_fit_was_given(capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x, y = np.ones((4, 3), "float32"), np.ones((4, 1), "float32")
    assert model.fit(x, y).params == {"verbose": "auto", "epochs": 1, "steps": 1}
    assert model.fit(x, y, verbose=2).params["verbose"] == 2
    assert model.fit(x, y, verbose=0).params["verbose"] == 0
