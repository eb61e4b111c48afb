"""LambdaCallback, TerminateOnNaN, LearningRateScheduler, ReduceLROnPlateau, CSVLogger."""
import numpy as np
import pytest

import lamina
from lamina.callbacks import (
    CallbackList,
    CSVLogger,
    LambdaCallback,
    LearningRateScheduler,
    ReduceLROnPlateau,
    TerminateOnNaN,
)


class FakeOptimizer:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate


class FakeModel:
    def __init__(self, learning_rate=1.0):
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)


def test_lambda_callback_hooks_and_tf2_keywords():
    calls = []
    callback = LambdaCallback(
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["loss"])),
        on_train_begin=lambda logs: calls.append(("train_begin",)),
        on_train_end=lambda logs: calls.append(("train_end",)),
        on_batch_end=lambda batch, logs: calls.append(("batch_end", batch)),
    )
    callbacks = CallbackList([callback])
    assert callbacks.needs_batch_hooks_for("train")
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_end(4, {})
    callbacks.on_epoch_end(0, {"loss": 0.5})
    callbacks.on_train_end()
    assert calls == [("train_begin",), ("epoch_begin", 0), ("batch_end", 4),
                     ("epoch_end", 0, 0.5), ("train_end",)]


@pytest.mark.parametrize("name", ["on_epoch_end", "on_batch_end"])
def test_lambda_callback_rejects_a_result_instead_of_a_function(name):
    with pytest.raises(TypeError, match=f"Argument `{name}` of LambdaCallback must be a function, but received 3"):
        LambdaCallback(**{name: 3})


@pytest.mark.parametrize("bad_loss", [float("nan"), float("inf"), -float("inf")])
def test_terminate_on_nan_stops(capsys, bad_loss):
    model = FakeModel()
    callbacks = CallbackList([TerminateOnNaN()], model=model)
    assert callbacks.needs_batch_hooks_for("train")
    callbacks.on_train_batch_end(2, {"loss": 0.5})
    assert not model.stop_training
    callbacks.on_train_batch_end(3, {"loss": bad_loss})
    assert model.stop_training
    assert capsys.readouterr().out == "Batch 3: Invalid loss, terminating training\n"


def test_terminate_on_nan_can_raise():
    callback = TerminateOnNaN(raise_error=True)
    callback.set_model(FakeModel())
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 7. Loss value: nan."):
        callback.on_batch_end(7, {"loss": float("nan")})


def test_learning_rate_scheduler_two_and_one_argument_schedules(capsys):
    model = FakeModel(learning_rate=0.1)
    halving = LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr, verbose=1)
    halving.set_model(model)
    rates, logged = [], []
    for epoch in range(3):
        halving.on_epoch_begin(epoch)
        rates.append(model.optimizer.learning_rate)
        logs = {}
        halving.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
    np.testing.assert_allclose(rates, [0.1, 0.05, 0.025], rtol=0, atol=1e-15)
    assert logged == rates
    assert capsys.readouterr().out.startswith(
        "\nEpoch 1: LearningRateScheduler setting learning rate to 0.1.\n")

    by_epoch = LearningRateScheduler(lambda epoch: 1e-3 * 10 ** (epoch / 20))
    by_epoch.set_model(model)
    by_epoch.on_epoch_begin(20)
    assert model.optimizer.learning_rate == pytest.approx(1e-2, rel=1e-12)


def test_learning_rate_scheduler_needs_a_float():
    scheduler = LearningRateScheduler(lambda epoch, lr: 1)
    scheduler.set_model(FakeModel())
    with pytest.raises(ValueError, match="The output of the `schedule` function should be a float. Got: 1"):
        scheduler.on_epoch_begin(0)


def run_plateau(callback, values, learning_rate=1.0):
    """Returns the learning rate after each epoch and the rate each epoch's logs got."""
    model = FakeModel(learning_rate)
    callback.set_model(model)
    callback.on_train_begin()
    rates, logged = [], []
    for epoch, value in enumerate(values):
        logs = {"val_loss": value}
        callback.on_epoch_end(epoch, logs)
        rates.append(model.optimizer.learning_rate)
        logged.append(logs["learning_rate"])
    return rates, logged


def test_reduce_lr_on_plateau_patience_and_cooldown(capsys):
    callback = ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2, verbose=1)
    rates, logged = run_plateau(callback, [1.0, 1.0, 1.0, 1.0, 0.5])
    assert rates == [1.0, 0.5, 0.5, 0.25, 0.25]
    assert logged == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert capsys.readouterr().out == (
        "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.5.\n"
        "\nEpoch 4: ReduceLROnPlateau reducing learning rate to 0.25.\n")


def test_reduce_lr_on_plateau_stops_at_min_lr():
    rates, _ = run_plateau(ReduceLROnPlateau(factor=0.1, patience=0, min_lr=0.05), [1.0, 1.0, 1.0],
                           learning_rate=0.1)
    assert rates == [0.1, 0.05, 0.05]


def test_reduce_lr_on_plateau_arguments():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0. Received factor=1.5"):
        ReduceLROnPlateau(factor=1.5)
    with pytest.warns(UserWarning, match="`epsilon` argument is deprecated"):
        assert ReduceLROnPlateau(epsilon=0.01).min_delta == 0.01
    with pytest.raises(TypeError, match=r"unexpected keyword arguments: \['paitence'\]"):
        ReduceLROnPlateau(paitence=3)


def test_csv_logger_writes_sorted_columns_and_appends(tmp_path):
    path = tmp_path / "log.csv"

    def fit(logger, epochs):
        callbacks = CallbackList([logger], model=FakeModel())
        callbacks.on_train_begin()
        for epoch in range(epochs):
            callbacks.on_epoch_end(epoch, {"loss": 0.5 / (epoch + 1), "accuracy": 0.25 * epoch})
        callbacks.on_train_end()

    fit(CSVLogger(path), 2)
    assert path.read_text() == (
        "epoch,accuracy,loss,val_accuracy,val_loss\n"
        "0,0.0,0.5,NA,NA\n"
        "1,0.25,0.25,NA,NA\n")
    fit(CSVLogger(path, separator=";", append=True), 1)
    assert path.read_text().splitlines()[-1] == "0;0.0;0.5;NA;NA"
    assert len(path.read_text().splitlines()) == 4


def test_batch_logs_a_callback_keeps_hold_that_batch_values_after_fit():
    class Keeps(lamina.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.kept, self.read_at_once = [], []

        def on_train_batch_end(self, batch, logs=None):
            self.kept.append(logs)
            self.read_at_once.append(logs["loss"])
            logs["seen"] = batch  # Keras' logs are a plain dict

    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(lamina.optimizers.SGD(0.1), "mse")
    keeps = Keeps()
    rng = np.random.default_rng(0)
    model.fit(rng.random((32, 3)), rng.random((32, 1)) * 5, batch_size=8, shuffle=False,
              callbacks=[keeps], verbose=0)
    assert [logs["loss"] for logs in keeps.kept] == keeps.read_at_once
    assert len(set(keeps.read_at_once)) == 4
    assert [logs["seen"] for logs in keeps.kept] == [0, 1, 2, 3]
