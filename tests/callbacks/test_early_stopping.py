"""EarlyStopping against hand-worked sequences of Keras 3's rules."""
import warnings

import numpy as np
import pytest

import lamina
from lamina.callbacks import CallbackList, EarlyStopping


class FakeModel:
    """Model stand-in whose get_weights returns views, as a careless model might."""

    def __init__(self, metrics=()):
        self.stop_training = False
        self.weights = [np.zeros((2, 3)), np.zeros(3)]
        self.metrics = list(metrics)

    def get_weights(self):
        return list(self.weights)

    def set_weights(self, weights):
        for weight, new in zip(self.weights, weights):
            weight[...] = new


def run_fit(callback, values, model=None, key="val_loss"):
    """Drives one fit: epoch i writes weights = i in place, logs {key: values[i]}."""
    model = model or FakeModel()
    callbacks = CallbackList([callback], add_history=True, model=model,
                             verbose=0, epochs=len(values), steps=1)
    callbacks.on_train_begin()
    epochs_run = 0
    for epoch, value in enumerate(values):
        for weight in model.weights:
            weight[...] = epoch
        callbacks.on_epoch_begin(epoch)
        callbacks.on_epoch_end(epoch, {key: value, "loss": 1.0})
        epochs_run += 1
        if model.stop_training:
            break
    callbacks.on_train_end()
    return epochs_run, model


@pytest.mark.parametrize(
    "kwargs, values, expected_epochs, expected_stopped",
    [
        ({}, [1.0, 0.9, 0.95, 0.8], 3, 2),
        ({"patience": 2}, [1.0, 0.9, 0.95, 0.96, 0.5], 4, 3),
        ({"patience": 3}, [1.0, 0.9, 0.95, 0.96, 0.5], 5, 0),
        ({"mode": "max"}, [0.5, 0.6, 0.55], 3, 2),
        ({"mode": "min"}, [0.5, 0.6, 0.55], 2, 1),
        ({"min_delta": 0.1, "patience": 1}, [1.0, 0.95, 0.85, 0.7], 2, 1),
        ({"min_delta": -0.1, "patience": 3}, [1.0, 0.95, 0.85, 0.7], 4, 0),
        # A change of exactly min_delta is not an improvement.
        ({"min_delta": 0.25}, [1.0, 0.75], 2, 1),
        ({"baseline": 0.5, "patience": 2}, [0.8, 0.7, 0.6, 0.4, 0.45, 0.46, 0.47], 6, 5),
        ({"baseline": 0.5, "patience": 1}, [0.8, 0.9, 0.9], 2, 1),
        ({"start_from_epoch": 2}, [1.0, 2.0, 3.0, 4.0, 5.0], 4, 3),
        ({"patience": 0}, [1.0, 2.0], 2, 1),
    ],
)
def test_stops_at_the_epoch_keras_rules_give(kwargs, values, expected_epochs, expected_stopped):
    stopper = EarlyStopping(**kwargs)
    epochs_run, model = run_fit(stopper, values)
    assert epochs_run == expected_epochs
    assert stopper.stopped_epoch == expected_stopped
    assert model.stop_training == (expected_stopped > 0)


@pytest.mark.parametrize(
    "monitor, values, expected_epochs",
    [
        ("val_accuracy", [0.5, 0.6, 0.55], 3),  # maximised
        ("val_auc", [0.5, 0.6, 0.55], 3),
        ("acc", [0.5, 0.6, 0.55], 3),
        ("val_loss", [0.5, 0.6, 0.55], 2),  # minimised
        ("val_mae", [0.5, 0.6, 0.55], 2),
    ],
)
def test_auto_mode_direction_from_name(monitor, values, expected_epochs):
    epochs_run, _ = run_fit(EarlyStopping(monitor=monitor), values, key=monitor)
    assert epochs_run == expected_epochs


def test_auto_mode_asks_the_metric_direction_first():
    class Metric:
        name = "custom"
        _direction = "up"

    class Container:
        name = "compile_metrics"
        metrics = [Metric()]  # noqa: RUF012

    model = FakeModel(metrics=[Container()])
    epochs_run, _ = run_fit(EarlyStopping(monitor="val_custom"), [0.5, 0.6, 0.55],
                            model=model, key="val_custom")
    assert epochs_run == 3


def test_restore_best_weights_after_early_stop_prints_messages(capsys):
    stopper = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    epochs_run, model = run_fit(stopper, [1.0, 0.5, 0.7, 0.9, 0.1])
    assert epochs_run == 4
    assert stopper.best_epoch == 1
    # Epoch i wrote weight value i: restored weights must be epoch 1's, not the last view.
    for weight in model.weights:
        np.testing.assert_array_equal(weight, np.full_like(weight, 1.0))
    assert capsys.readouterr().out == (
        "Epoch 4: early stopping\n"
        "Restoring model weights from the end of the best epoch: 2.\n"
    )


def test_restore_best_weights_without_early_stop(capsys):
    stopper = EarlyStopping(patience=5, restore_best_weights=True, verbose=1)
    epochs_run, model = run_fit(stopper, [1.0, 0.5, 0.7])
    assert epochs_run == 3 and stopper.stopped_epoch == 0
    np.testing.assert_array_equal(model.weights[1], np.ones(3))
    assert capsys.readouterr().out == "Restoring model weights from the end of the best epoch: 2.\n"


def test_restore_counts_from_start_epoch():
    stopper = EarlyStopping(patience=1, restore_best_weights=True, start_from_epoch=2)
    epochs_run, model = run_fit(stopper, [0.1, 0.2, 3.0, 4.0, 5.0])
    assert epochs_run == 4
    assert stopper.best_epoch == 2
    np.testing.assert_array_equal(model.weights[0], np.full((2, 3), 2.0))


def test_no_restore_keeps_last_weights_and_verbose_zero_is_silent(capsys):
    _, model = run_fit(EarlyStopping(patience=0), [1.0, 2.0])
    np.testing.assert_array_equal(model.weights[1], np.ones(3))
    assert capsys.readouterr().out == ""


class _AccuracyMetric:
    name = "accuracy"
    _direction = "up"


def test_missing_monitor_warns_once_with_available_keys():
    # The model has an 'accuracy' metric but no validation data: Keras warns and goes on.
    stopper = EarlyStopping(monitor="val_accuracy")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        epochs_run, model = run_fit(stopper, [0.3, 0.2, 0.1], key="accuracy",
                                    model=FakeModel(metrics=[_AccuracyMetric()]))
    messages = [str(w.message) for w in caught]
    assert messages == [(
        "Early stopping conditioned on metric `val_accuracy` which is not available. "
        "Available metrics are: accuracy,loss. The logs of this epoch have no `val_` "
        "quantities: `fit` logs them only with `validation_data=` or `validation_split=` (on "
        "the epochs `validation_freq` selects).")]
    assert epochs_run == 3 and not model.stop_training


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="EarlyStopping mode 'maximum' is unknown, fallback to auto mode."):
        stopper = EarlyStopping(monitor="val_accuracy", mode="maximum")
    assert stopper.mode == "auto"


def test_instance_is_reusable_across_fits():
    stopper = EarlyStopping(patience=0, restore_best_weights=True)
    run_fit(stopper, [1.0, 2.0])
    assert stopper.stopped_epoch == 1
    epochs_run, _ = run_fit(stopper, [5.0, 4.0, 3.0])
    assert epochs_run == 3 and stopper.stopped_epoch == 0 and stopper.best == 3.0


def test_defaults_match_keras():
    stopper = EarlyStopping()
    assert (stopper.monitor, stopper.min_delta, stopper.patience, stopper.verbose, stopper.mode,
            stopper.baseline, stopper.restore_best_weights, stopper.start_from_epoch) == (
        "val_loss", 0, 0, 0, "auto", None, False, 0)


def test_tensor_logs_are_read_as_floats():
    torch = pytest.importorskip("torch")
    stopper = EarlyStopping(monitor="loss", patience=0)
    model = FakeModel()
    stopper.set_model(model)
    stopper.on_train_begin()
    stopper.on_epoch_end(0, {"loss": torch.tensor(0.5)})
    stopper.on_epoch_end(1, {"loss": torch.tensor(0.75)})
    assert stopper.best == 0.5 and isinstance(stopper.best, float)
    assert model.stop_training


def test_auto_mode_monitor_that_names_nothing_raises_value_error():
    # Keras 3.15 raises at the first epoch end when mode='auto' cannot infer the direction
    # of a monitor that is neither logged nor a metric's name (a typo such as 'val_acc').
    model = FakeModel(metrics=[_AccuracyMetric()])
    with pytest.raises(ValueError, match="monitor=val_acc, but Keras isn't able to "
                                         "automatically determine"):
        run_fit(EarlyStopping(monitor="val_acc"), [0.3, 0.2], key="val_accuracy", model=model)
    with pytest.warns(UserWarning, match="`val_acc` which is not available"):
        epochs_run, _ = run_fit(EarlyStopping(monitor="val_acc", mode="max"), [0.3, 0.2],
                                key="val_accuracy", model=FakeModel(metrics=[_AccuracyMetric()]))
    assert epochs_run == 2


def test_monitor_spelled_for_other_accuracy_key_names_the_logged_one():
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    x, y = np.random.default_rng(0).random((32, 4)), np.arange(32) % 3
    stopper = lamina.callbacks.EarlyStopping(monitor="val_accuracy")
    with pytest.raises(ValueError) as error:
        model.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[stopper])
    message = str(error.value)
    assert "The logged quantities are: acc, loss, val_acc, val_loss." in message
    assert "pass monitor='val_acc', or compile with metrics=['accuracy']" in message


def fit_with_scores(scores, *callbacks, epochs=None):
    """A real fit whose epoch logs get `score` = scores[epoch]; returns weights by epoch too."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    weights_by_epoch = []

    def inject(epoch, logs):
        logs["score"] = scores[epoch]
        weights_by_epoch.append([w.copy() for w in model.get_weights()])

    history = model.fit(x, y, epochs=epochs or len(scores), verbose=0, callbacks=[
        lamina.callbacks.LambdaCallback(on_epoch_end=inject), *callbacks])
    return model, history, weights_by_epoch


def test_restore_best_weights_in_fit_when_training_ends_before_patience(capsys):
    stopper = EarlyStopping(monitor="score", mode="max", patience=5, verbose=1,
                            restore_best_weights=True)
    model, history, weights_by_epoch = fit_with_scores([0.1, 0.5, 0.3], stopper)
    assert history.epoch == [0, 1, 2] and stopper.stopped_epoch == 0
    for weight, best in zip(model.get_weights(), weights_by_epoch[1]):
        np.testing.assert_array_equal(weight, best)
    assert capsys.readouterr().out == "Restoring model weights from the end of the best epoch: 2.\n"


def test_tf2_book_flow_best_model_h5_and_early_stopping(tmp_path, capsys):
    path = str(tmp_path / "best-model.h5")
    checkpoint = lamina.callbacks.ModelCheckpoint(path, monitor="score", mode="min",
                                                  save_best_only=True)
    stopper = EarlyStopping(monitor="score", mode="min", patience=2, verbose=1,
                            restore_best_weights=True)
    model, history, weights_by_epoch = fit_with_scores([0.5, 0.4, 0.45, 0.46, 0.3], checkpoint,
                                                       stopper)
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 3
    assert capsys.readouterr().out == (
        "Epoch 4: early stopping\nRestoring model weights from the end of the best epoch: 2.\n")
    restored = lamina.models.load_model(path)
    for weight, saved, best in zip(model.get_weights(), restored.get_weights(),
                                   weights_by_epoch[1]):
        np.testing.assert_array_equal(weight, best)
        np.testing.assert_array_equal(saved, best)


def test_a_user_metric_without_a_direction_is_refused_in_auto_mode_as_keras_does():
    class F1(lamina.metrics.Metric):
        def __init__(self, name="f1", **kwargs):
            super().__init__(name=name, **kwargs)
            self.total = self.add_weight(name="total", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.total.assign_add(1.0)

        def result(self):
            return self.total + 0.0

    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=[F1()])
    stop = lamina.callbacks.EarlyStopping(monitor="val_f1", patience=1)
    with pytest.raises(ValueError, match=r"received monitor=val_f1, but Keras isn't able to "
                                         r"automatically determine whether that metric should "
                                         r"be maximized or minimized"):
        model.fit(np.ones((8, 3)), np.zeros(8), epochs=3, validation_split=0.25, verbose=0,
                  callbacks=[stop])
