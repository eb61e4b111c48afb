"""BackupAndRestore: a fit killed mid-run resumes and ends as if never interrupted."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import lamina
from lamina.callbacks import BackupAndRestore, CallbackList, LambdaCallback

# Shuffling and dropout draw from the global generators, Adam has slots, EarlyStopping and
# ReduceLROnPlateau keep counters: a resume that lost any of them ends with other weights.
CHILD = """
import os, signal, sys
import numpy as np
import lamina as keras

backup_dir, result_path, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
keras.utils.set_random_seed(7)
rng = np.random.default_rng(0)
x = rng.normal(size=(96, 4)).astype("float32")
y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dropout(0.25), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")


class Kill(keras.callbacks.Callback):
    # Kills the process in the middle of epoch `kill_after`.

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == kill_after and batch == 1:
            os.kill(os.getpid(), signal.SIGKILL)


callbacks = [keras.callbacks.BackupAndRestore(backup_dir),
             keras.callbacks.EarlyStopping(monitor="loss", patience=100, baseline=0.0,
                                           restore_best_weights=True),
             keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=1, factor=0.5),
             Kill()]
history = model.fit(x, y, epochs=6, batch_size=16, validation_split=0.25, verbose=0,
                    callbacks=callbacks)
np.savez(result_path, *model.get_weights(), loss=np.array(history.history["loss"]),
         epochs=np.array(history.epoch), wait=np.array(callbacks[1].wait),
         learning_rate=np.array(float(model.optimizer.learning_rate)))
"""


def run_child(tmp_path, backup_dir, name, kill_after=-1):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    result = tmp_path / f"{name}.npz"
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    completed = subprocess.run(  # noqa: PLW1510 (the test reads the return code)
        [sys.executable, str(script), str(backup_dir), str(result), str(kill_after)],
        capture_output=True, text=True, env=env, timeout=300)
    return completed, result


def test_killed_fit_resumes_with_the_weights_of_an_uninterrupted_run(tmp_path):
    completed, reference_path = run_child(tmp_path, tmp_path / "backup_a", "reference")
    assert completed.returncode == 0, completed.stderr
    backup_dir = tmp_path / "backup_b"
    killed, killed_path = run_child(tmp_path, backup_dir, "killed", kill_after=3)
    assert killed.returncode == -9 and not killed_path.exists()
    with open(backup_dir / "training_metadata.json") as file:
        assert json.load(file)["epoch"] == 3
    resumed, resumed_path = run_child(tmp_path, backup_dir, "resumed")
    assert resumed.returncode == 0, resumed.stderr
    assert not backup_dir.exists()  # delete_checkpoint once training ended
    reference, result = np.load(reference_path), np.load(resumed_path)
    weight_keys = [key for key in reference.files if key.startswith("arr_")]
    assert len(weight_keys) == 4
    for key in weight_keys:
        np.testing.assert_allclose(result[key], reference[key], rtol=0, atol=1e-7)
    # As in Keras, the resumed History holds the epochs run after the resume; callback
    # counters carried over.
    np.testing.assert_array_equal(result["epochs"], np.arange(3, 6))
    np.testing.assert_allclose(result["loss"], reference["loss"][3:], rtol=0, atol=1e-7)
    assert int(result["wait"]) == int(reference["wait"]) == 6
    assert float(result["learning_rate"]) == float(reference["learning_rate"])


def small_model():
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(40, 3)).astype("float32"), rng.normal(size=(40, 2)).astype("float32")


def test_batch_backups_record_the_epoch_to_restart(tmp_path):
    records = []

    def record(batch, logs):
        path = tmp_path / "backup" / "training_metadata.json"
        if path.exists():
            records.append(json.loads(path.read_text())["epoch"])

    x, y = data()
    model = small_model()
    # 3 batches an epoch (batch_size 16 on 40 rows): a backup after every 2nd batch.
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[
        BackupAndRestore(tmp_path / "backup", save_freq=2, delete_checkpoint=False),
        LambdaCallback(on_train_batch_end=record)])
    metadata = json.loads((tmp_path / "backup" / "training_metadata.json").read_text())
    assert metadata["epoch"] == 1 and metadata["batch"] == 2
    assert records == [0, 0, 1, 1, 1]
    assert sorted(os.listdir(tmp_path / "backup")) == [
        "latest.weights.h5", "training_metadata.json", "training_state.npz"]


def test_a_kept_backup_resumes_past_its_last_epoch(tmp_path):
    x, y = data()
    model = small_model()
    backup = BackupAndRestore(tmp_path / "backup", delete_checkpoint=False)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[backup])  # 2 steps an epoch
    again = small_model()
    history = again.fit(x, y, epochs=2, verbose=0, callbacks=[backup])
    assert history.epoch == [] and int(again.optimizer.iterations) == 4  # nothing trained
    for restored, expected in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(restored, expected)
    longer = small_model()
    history = longer.fit(x, y, epochs=3, verbose=0, callbacks=[backup])
    assert history.epoch == [2]  # only epoch 2 trained now
    assert int(longer.optimizer.iterations) == 6


def test_a_resumed_fit_returns_the_history_of_the_epochs_it_ran(tmp_path):
    # Keras 3.15 (JAX), same run: 3 epochs backed up, then fit(epochs=6) resumes at epoch 3
    # and returns History.epoch == [3, 4, 5] with 3 losses.
    x, y = data()
    first = small_model()
    first.fit(x, y, epochs=3, verbose=0,
              callbacks=[BackupAndRestore(tmp_path / "backup", delete_checkpoint=False)])
    resumed = small_model()
    history = resumed.fit(x, y, epochs=6, verbose=0,
                          callbacks=[BackupAndRestore(tmp_path / "backup")])
    assert history.epoch == [3, 4, 5]
    assert {key: len(values) for key, values in history.history.items()} == {"loss": 3}
    assert resumed.history is history


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    x, y = data()
    model = small_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[
        BackupAndRestore(tmp_path / "backup", double_checkpoint=True, delete_checkpoint=False)])
    backup = tmp_path / "backup"
    assert (backup / "latest.weights.h5.bkp").exists()
    (backup / "latest.weights.h5").write_bytes(b"not an HDF5 file")
    fresh = small_model()
    fresh.fit(x, y, epochs=1, verbose=0, callbacks=[BackupAndRestore(backup)])
    # The previous backup (after epoch 1) says training resumes at epoch 1: nothing to train.
    assert int(fresh.optimizer.iterations) == 2


def test_callback_states_restore_after_their_own_train_begin(tmp_path):
    model = small_model()
    backup = BackupAndRestore(tmp_path / "backup", delete_checkpoint=False)
    stopper = lamina.callbacks.EarlyStopping(monitor="loss", patience=5)
    callbacks = CallbackList([backup, stopper], add_history=True, model=model, verbose=0,
                             epochs=3, steps=1)
    callbacks.on_train_begin()
    for epoch, loss in enumerate([1.0, 0.5, 0.7]):
        callbacks.on_epoch_begin(epoch)
        callbacks.on_epoch_end(epoch, {"loss": loss})
    assert stopper.wait == 1 and stopper.best == 0.5
    fresh = small_model()
    new_backup, new_stopper = BackupAndRestore(tmp_path / "backup"), \
        lamina.callbacks.EarlyStopping(monitor="loss", patience=5)
    callbacks = CallbackList([new_backup, new_stopper], add_history=True, model=fresh,
                             verbose=0, epochs=5, steps=1)
    new_stopper.on_train_begin()  # what it does before the late restore
    assert new_stopper.best is None
    callbacks.on_train_begin()
    assert fresh._initial_epoch == 3
    assert (new_stopper.wait, new_stopper.best, new_stopper.best_epoch) == (1, 0.5, 1)
    assert fresh.history.history == {}  # History starts empty, as in Keras


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": ""}, "Empty `backup_dir` argument passed"),
    ({"backup_dir": "b", "save_freq": "batch"},
     ("Invalid value for argument `save_freq`. Received: save_freq=batch. Expected either "
     "'epoch' or an integer value")),
    ({"backup_dir": "b", "save_freq": 0}, "Invalid value for argument `save_freq`."),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as error:
        BackupAndRestore(**kwargs)
    assert str(error.value).startswith(message)
