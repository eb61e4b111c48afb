"""ModelCheckpoint: file names, save decisions and messages as Keras 3 makes them.

The expected lines were checked against Keras 3.15.1 (jax), e.g.
`Epoch 1: loss improved from None to 0.65242, saving model to best.keras`.
"""
import os
import warnings

import numpy as np
import pytest

import lamina
from lamina.callbacks import CallbackList, LambdaCallback, ModelCheckpoint


def small_model(optimizer="sgd"):
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2),
                               lamina.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def drive(callback, values, key="val_loss", model=None):
    """Runs the epoch hooks of one fit with `key` taking `values`; returns the model."""
    model = model or small_model()
    callbacks = CallbackList([callback], model=model, verbose=0, epochs=len(values), steps=1)
    callbacks.on_train_begin()
    for epoch, value in enumerate(values):
        callbacks.on_epoch_begin(epoch)
        callbacks.on_epoch_end(epoch, {"loss": 1.0, key: value})
    callbacks.on_train_end()
    return model


def test_template_names_hold_the_one_based_epoch_and_logged_values(tmp_path):
    template = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.keras")
    drive(ModelCheckpoint(template), [0.41, 0.38, 0.5])
    assert sorted(os.listdir(tmp_path)) == [
        "ckpt-01-0.41.keras", "ckpt-02-0.38.keras", "ckpt-03-0.50.keras"]


def test_save_best_only_saves_the_improving_epochs(tmp_path):
    template = str(tmp_path / "best-{epoch}.keras")
    drive(ModelCheckpoint(template, save_best_only=True), [0.5, 0.41, 0.45, 0.38, 0.38])
    assert sorted(os.listdir(tmp_path)) == ["best-1.keras", "best-2.keras", "best-4.keras"]


def test_verbose_lines_are_keras_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    drive(ModelCheckpoint("best.keras", save_best_only=True, verbose=1), [0.41, 0.38, 0.45])
    assert capsys.readouterr().out == (
        "\nEpoch 1: val_loss improved from None to 0.41000, saving model to best.keras\n"
        "\nEpoch 1: finished saving model to best.keras\n"
        "\nEpoch 2: val_loss improved from 0.41000 to 0.38000, saving model to best.keras\n"
        "\nEpoch 2: finished saving model to best.keras\n"
        "\nEpoch 3: val_loss did not improve from 0.38000\n"
    )
    drive(ModelCheckpoint("every.keras", verbose=1), [0.4])
    assert capsys.readouterr().out == (
        "\nEpoch 1: saving model to every.keras\n\nEpoch 1: finished saving model to every.keras\n")


def test_initial_value_threshold_must_be_beaten_first(tmp_path, capsys):
    template = str(tmp_path / "m-{epoch}.keras")
    drive(ModelCheckpoint(template, save_best_only=True, initial_value_threshold=0.4,
                          verbose=1), [0.5, 0.45, 0.38])
    assert os.listdir(tmp_path) == ["m-3.keras"]
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss did not improve from 0.40000\n" in out
    assert f"Epoch 3: val_loss improved from 0.40000 to 0.38000, saving model to " \
           f"{tmp_path / 'm-3.keras'}\n" in out


@pytest.mark.parametrize("mode, monitor, saved", [
    ("max", "val_loss", ["m-1.keras", "m-3.keras"]),
    ("auto", "val_accuracy", ["m-1.keras", "m-3.keras"]),
    ("min", "val_accuracy", ["m-1.keras", "m-2.keras"]),
])
def test_mode_decides_the_direction(tmp_path, mode, monitor, saved):
    callback = ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"), monitor=monitor, mode=mode,
                               save_best_only=True)
    drive(callback, [0.5, 0.4, 0.6], key=monitor)
    assert sorted(os.listdir(tmp_path)) == saved


def test_min_delta_style_ties_do_not_count(tmp_path):
    drive(ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"), save_best_only=True),
          [0.5, 0.5, 0.5])
    assert os.listdir(tmp_path) == ["m-1.keras"]


def test_missing_monitor_warns_with_the_spelling_hint_and_saves(tmp_path):
    callback = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_acc", mode="max",
                               save_best_only=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drive(callback, [0.9], key="val_accuracy")
    messages = [str(w.message) for w in caught if "Can save best model" in str(w.message)]
    assert messages == [
        ("Can save best model only with val_acc available. The logs name it 'val_accuracy' "
        "because the model was compiled with metrics=['accuracy']: pass "
        "monitor='val_accuracy', or compile with metrics=['acc'].")]
    assert os.listdir(tmp_path) == ["m.keras"]


def test_missing_val_monitor_without_validation_says_how_to_get_it(tmp_path):
    model = small_model()
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    callback = ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True)
    with pytest.warns(UserWarning, match=r"Can save best model only with val_loss available\. "
                                         r"The logs of this epoch have no `val_` quantities: "
                                         r"`fit` logs them only with `validation_data=` or "
                                         r"`validation_split=`"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callback])
    assert os.listdir(tmp_path) == ["m.keras"]


def test_auto_mode_with_a_monitor_naming_nothing_raises(tmp_path):
    callback = ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_acc",
                               save_best_only=True)
    with pytest.raises(ValueError, match="ModelCheckpoint callback received monitor=val_acc, "
                                         "but Keras isn't able to automatically determine"):
        drive(callback, [0.9], key="val_accuracy")


@pytest.mark.parametrize("kwargs, message", [
    ({"filepath": "a.keras", "save_weights_only": True},
     ("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end "
     "in `.weights.h5` (Keras weights format). Received: filepath=a.keras.")),
    ({"filepath": "cp.ckpt", "save_weights_only": True},
     ("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end "
     "in `.weights.h5` (Keras weights format). Received: filepath=cp.ckpt.")),
    ({"filepath": "a.ckpt"},
     ("The filepath provided must end in `.keras` (Keras model format). Received: "
     "filepath=a.ckpt.")),
    ({"filepath": "a.weights", "save_weights_only": False},
     "The filepath provided must end in `.keras` (Keras model format)."),
    ({"filepath": "a.keras", "save_freq": "batch"},
     "Unrecognized save_freq: batch. Expected save_freq are 'epoch' or integer values"),
    ({"filepath": "a.keras", "save_freq": 0},
     "Argument `save_freq` must be 'epoch' or a number of batches >= 1. Received: save_freq=0"),
])
def test_bad_arguments_raise_keras_errors(kwargs, message):
    with pytest.raises(ValueError) as error:
        ModelCheckpoint(**kwargs)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("filepath, weights_only", [
    ("best-model.h5", False), ("m.hdf5", False), ("m.keras", False),
    ("m.weights.h5", True), ("weights.h5", True),
])
def test_accepted_names_include_tf2_h5(filepath, weights_only):
    assert ModelCheckpoint(filepath, save_weights_only=weights_only).filepath == filepath


def test_a_template_field_not_logged_raises_key_error(tmp_path):
    callback = ModelCheckpoint(str(tmp_path / "m-{val_accuracy:.2f}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath.*val_accuracy"
                                       ".*The fields available are: epoch, loss, val_loss"):
        drive(callback, [0.4])


def test_an_existing_folder_as_filepath_is_refused(tmp_path):
    (tmp_path / "m.keras").mkdir()
    with pytest.raises(IOError, match="Please specify a non-directory filepath for "
                                      "ModelCheckpoint. Filepath used is an existing directory"):
        drive(ModelCheckpoint(str(tmp_path / "m.keras")), [0.4])


def test_batch_level_saves_count_batches_across_epochs(tmp_path):
    lamina.utils.set_random_seed(0)
    x, y = np.random.rand(64, 3).astype("float32"), np.random.rand(64, 1).astype("float32")
    model = small_model()
    callback = ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}-{loss:.3f}.weights.h5"),
                               save_weights_only=True, save_freq=3)
    batch_losses = []
    recorder = LambdaCallback(on_train_batch_end=lambda b, logs: batch_losses.append(
        float(logs["loss"])))
    model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
              callbacks=[callback, recorder])
    # 4 batches an epoch: the 3rd, 6th, 9th and 12th batches are saved.
    expected = [f"w-{epoch}-{batch}-{batch_losses[(epoch - 1) * 4 + batch - 1]:.3f}.weights.h5"
                for epoch, batch in [(1, 3), (2, 2), (3, 1), (3, 4)]]
    assert sorted(os.listdir(tmp_path)) == sorted(expected)


def test_best_model_h5_from_fit_holds_the_best_epoch(tmp_path):
    """The TF-2 book flow: ModelCheckpoint('best-model.h5', save_best_only=True)."""
    lamina.utils.set_random_seed(0)
    x, y = np.random.rand(80, 3).astype("float32"), np.random.rand(80, 1).astype("float32")
    model = small_model()
    weights_by_epoch = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: weights_by_epoch.append(
        [w.copy() for w in model.get_weights()]))
    path = str(tmp_path / "best-model.h5")
    history = model.fit(x, y, epochs=6, validation_split=0.25, verbose=0,
                        callbacks=[ModelCheckpoint(path, save_best_only=True), recorder])
    best_epoch = int(np.argmin(history.history["val_loss"]))
    restored = lamina.models.load_model(path)
    for saved, expected in zip(restored.get_weights(), weights_by_epoch[best_epoch]):
        np.testing.assert_array_equal(saved, expected)


def test_weights_only_checkpoint_loads_into_a_fresh_model(tmp_path):
    x, y = np.random.rand(32, 3).astype("float32"), np.random.rand(32, 1).astype("float32")
    model = small_model("adam")
    path = str(tmp_path / "sub" / "cp-{epoch:02d}.weights.h5")
    model.fit(x, y, epochs=2, verbose=0,
              callbacks=[ModelCheckpoint(path, save_weights_only=True, monitor="loss")])
    assert sorted(os.listdir(tmp_path / "sub")) == ["cp-01.weights.h5", "cp-02.weights.h5"]
    fresh = small_model("adam")
    fresh.load_weights(str(tmp_path / "sub" / "cp-02.weights.h5"))
    for loaded, trained in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(loaded, trained)


def test_epoch_level_checkpoint_needs_no_batch_hooks():
    assert not ModelCheckpoint("m.keras").needs_batch_hooks_for("train")
    assert ModelCheckpoint("m.keras", save_freq=10).needs_batch_hooks_for("train")
    assert not ModelCheckpoint("m.keras", save_freq=10).needs_batch_hooks_for("test")
