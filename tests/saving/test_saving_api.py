"""Saving and loading lamina's own models: every format, training resumes, and files are atomic."""
import os
import signal
import subprocess
import sys
import textwrap
import zipfile

import h5py
import numpy as np
import pytest
import torch

import lamina
from lamina import layers


def _mlp(seed_layers=True):
    model = lamina.Sequential([
        layers.Flatten(input_shape=(4, 4)), layers.Dense(8, activation="relu", name="hidden"),
        layers.BatchNormalization(), layers.Dense(3, activation="softmax", name="output")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.random((n, 4, 4)).astype("float32"), rng.integers(0, 3, n)


def _assert_same_weights(a, b, atol=0.0):
    for left, right in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(left, right, rtol=0, atol=atol)


@pytest.mark.parametrize("filename", ["model.keras", "model.h5", "model.hdf5"])
def test_model_round_trip_keeps_predictions_and_compile_state(tmp_path, filename):
    model = _mlp()
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / filename)
    loaded = lamina.models.load_model(tmp_path / filename)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-7)
    assert loaded.loss == "sparse_categorical_crossentropy"
    assert loaded._metrics_spec[0] == ["accuracy"]
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 8
    _assert_same_weights(loaded, model)


@pytest.mark.parametrize("filename", ["model.keras", "model.h5", "weights.weights.h5"])
def test_training_resumes_as_if_never_interrupted(tmp_path, filename):
    """Fit, save, load, fit on: the weights equal those of the run that went on in memory
    (optimizer slots, step counter and BatchNormalization statistics all come back)."""
    x, y = _data()
    model = _mlp()
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = tmp_path / filename
    if filename.endswith(".weights.h5"):
        model.save_weights(path)
        # Keras' way to resume from weights: build the optimizer, then load (an optimizer
        # that is not built keeps its fresh state, with Keras' warning).
        resumed = _mlp()
        resumed.optimizer.build(resumed.trainable_variables)
        resumed.load_weights(path)
    else:
        model.save(path)
        resumed = lamina.models.load_model(path)
    restarted = _mlp()  # the same weights with a fresh optimizer: a run that forgot its state
    restarted.set_weights(model.get_weights())
    for run in (model, resumed, restarted):
        run.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    _assert_same_weights(resumed, model, atol=1e-7)
    assert int(resumed.optimizer.iterations) == int(model.optimizer.iterations) == 12
    gap = max(np.abs(a - b).max() for a, b in zip(restarted.get_weights(), model.get_weights()))
    assert gap > 1e-3


@pytest.mark.parametrize("filename", ["w.weights.h5", "w.h5", "w.pt", "w.pth", "w.keras"])
def test_weights_round_trip_in_every_format(tmp_path, filename):
    source, target = _mlp(), _mlp()
    source.fit(*_data(), epochs=1, verbose=0)
    if filename.endswith(".keras"):
        source.save(tmp_path / filename)
    else:
        source.save_weights(tmp_path / filename)
    target.load_weights(tmp_path / filename)
    _assert_same_weights(target, source)


@pytest.mark.parametrize("trained", [True, False])
def test_weights_load_into_a_model_compiled_with_plain_sgd(tmp_path, trained):
    """SGD has no slots: a file holding only its step counter still loads (and sets it)."""
    def model():
        built = lamina.Sequential([lamina.Input((16,)), layers.Dense(3, name="output")])
        built.compile(optimizer="sgd", loss="mse")
        return built
    x, _ = _data()
    x, y = x.reshape(-1, 16), np.ones((len(x), 3), "float32")
    source, target = model(), model()
    if trained:
        source.fit(x, y, epochs=2, batch_size=16, verbose=0)
    source.save_weights(tmp_path / "w.weights.h5")
    target.load_weights(tmp_path / "w.weights.h5")
    _assert_same_weights(target, source)
    assert int(target.optimizer.iterations) == (4 if trained else 0)


def test_pt_file_is_a_plain_torch_state_dict(tmp_path):
    model = _mlp()
    model.save_weights(tmp_path / "w.pt")
    state = torch.load(tmp_path / "w.pt", weights_only=True)
    assert state.keys() == model.state_dict().keys()
    fresh = _mlp()
    fresh.load_state_dict(state)  # plain PyTorch code reads it back
    _assert_same_weights(fresh, model)


def test_functional_nested_and_multi_output_round_trip(tmp_path):
    inner = lamina.Sequential([layers.Dense(4, activation="relu"), layers.Dense(3)], name="inner")
    a, b = lamina.Input((5,), name="a"), lamina.Input((2,), name="b")
    joined = layers.Concatenate()([inner(a), b])
    model = lamina.Model([a, b], [layers.Dense(1, name="y1")(joined),
                                  layers.Dense(2, name="y2")(layers.Dense(3)(joined))])
    model.compile("rmsprop", ["mse", "mae"], loss_weights=[1.0, 0.5])
    xs = [np.random.rand(4, 5).astype("float32"), np.random.rand(4, 2).astype("float32")]
    model.save(tmp_path / "m.keras")
    loaded = lamina.models.load_model(tmp_path / "m.keras")
    for got, want in zip(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert loaded.compiled_loss.loss_weights == [1.0, 0.5]
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


def test_to_json_and_model_from_json():
    model = _mlp()
    clone = lamina.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in clone.layers] == [
        "Flatten", "Dense", "BatchNormalization", "Dense"]
    assert clone.get_layer("hidden").units == 8
    with pytest.raises(ValueError, match="`json_string` must be the JSON text"):
        lamina.models.model_from_json("{not json")


def test_compile_config_round_trip():
    model = _mlp()
    config = model.get_compile_config()
    assert config["loss"] == "sparse_categorical_crossentropy"
    assert config["optimizer"]["class_name"] == "Adam"
    other = lamina.Sequential([lamina.Input((4, 4)), layers.Flatten(), layers.Dense(3)])
    other.compile_from_config(config)
    assert type(other.optimizer).__name__ == "Adam" and other.optimizer.built
    assert other.loss == "sparse_categorical_crossentropy"
    uncompiled = lamina.Sequential([lamina.Input((2,)), layers.Dense(1)])
    assert uncompiled.get_compile_config() == {}
    assert uncompiled.to_json().count('"compile_config": {}') == 1  # as Keras writes its files
    assert lamina.models.model_from_json(uncompiled.to_json()).compiled is False


# ---------------------------------------------------------------------------------- atomicity
@pytest.mark.parametrize("method, filename", [("save", "m.keras"), ("save", "m.h5"),
                                              ("save_weights", "m.weights.h5"),
                                              ("save_weights", "m.h5"), ("save_weights", "m.pt")])
def test_failed_save_leaves_the_previous_file_loadable(tmp_path, monkeypatch, method, filename):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    path = tmp_path / filename
    getattr(model, method)(path)
    before = path.read_bytes()
    original_writestr = zipfile.ZipFile.writestr

    def writestr(archive, name, data, *args, **kwargs):
        if name == "model.weights.h5":  # metadata and config are already in the archive
            raise OSError("disk full")
        return original_writestr(archive, name, data, *args, **kwargs)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    monkeypatch.setattr(h5py.Group, "create_dataset", fail)
    monkeypatch.setattr(torch.serialization, "_save", fail)
    with pytest.raises(OSError, match="disk full"):
        getattr(lamina.Sequential([lamina.Input((3,)), layers.Dense(5)]), method)(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [filename]  # the temporary file is gone
    if method == "save":
        assert lamina.models.load_model(path).layers[0].units == 2
    else:
        model.load_weights(path)


def test_save_killed_mid_write_leaves_the_previous_file(tmp_path):
    """A process killed (SIGKILL) while writing never leaves a half-written target."""
    path = tmp_path / "best-model.keras"
    script = textwrap.dedent(f"""
        import os, signal, lamina
        from lamina import layers
        model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
        model.save({str(path)!r})
        class Dies(layers.Dense):
            def save_own_variables(self, store):
                super().save_own_variables(store)
                os.kill(os.getpid(), signal.SIGKILL)
        lamina.Sequential([lamina.Input((3,)), layers.Dense(2), Dies(1)]).save({str(path)!r})
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    loaded = lamina.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense"]


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="already exists and overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)


def test_missing_folder_is_named(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    with pytest.raises(FileNotFoundError, match="the folder .*nowhere.* does not exist"):
        model.save(tmp_path / "nowhere" / "m.keras")


def test_keras_zip_members_are_read_by_name_not_extracted(tmp_path, monkeypatch):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    model.save(tmp_path / "m.keras")

    def no_extract(*args, **kwargs):
        raise AssertionError("a .keras member was extracted to the file system")

    monkeypatch.setattr(zipfile.ZipFile, "extract", no_extract)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", no_extract)
    lamina.models.load_model(tmp_path / "m.keras")
    model.load_weights(tmp_path / "m.keras")


def test_adapted_text_vectorization_keeps_its_vocabulary_as_an_asset(tmp_path):
    vectorizer = layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorizer.adapt(np.array(["the cat sat", "the dog ran far", "a cat ran"]))
    model = lamina.Sequential([lamina.Input((1,), dtype="string"), vectorizer,
                               layers.Embedding(20, 2), layers.GlobalAveragePooling1D()])
    model.save(tmp_path / "text.keras")
    with zipfile.ZipFile(tmp_path / "text.keras") as archive:
        assert "assets/layers/text_vectorization/vocabulary.txt" in archive.namelist()
    loaded = lamina.models.load_model(tmp_path / "text.keras")
    assert loaded.layers[0].get_vocabulary() == vectorizer.get_vocabulary()
    texts = np.array([["the cat ran"], ["dog far"]])
    np.testing.assert_array_equal(loaded.predict(texts, verbose=0), model.predict(texts, verbose=0))


@pytest.mark.parametrize("filename", ["model.keras", "model.weights.h5", "model.h5"])
def test_saved_files_get_the_permissions_of_any_new_file(tmp_path, filename):
    model = _mlp()
    previous = os.umask(0o022)
    try:
        target = tmp_path / filename
        (model.save_weights if ".weights." in filename else model.save)(target)
    finally:
        os.umask(previous)
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


def test_every_layer_built_by_a_call_records_its_build_config_as_keras_does():
    # Keras 3.15: a user's layer without build() and Flatten record {'input_shape': ...};
    # Dropout and Activation, built when made, record none.
    class Doubler(lamina.layers.Layer):
        def call(self, x):
            return x * 2

    model = lamina.Sequential([lamina.Input((4,)), Doubler(), layers.Flatten(),
                               layers.Dropout(0.1), layers.Activation("relu"), layers.Dense(2)])
    configs = [(entry["class_name"], entry.get("build_config"))
               for entry in model.get_config()["layers"]]
    assert configs == [("InputLayer", None), ("Doubler", {"input_shape": [None, 4]}),
                       ("Flatten", {"input_shape": [None, 4]}), ("Dropout", None),
                       ("Activation", None), ("Dense", {"input_shape": [None, 4]})]


# ------------------------------------------------------------------- unzipped (zipped=False)
def test_an_unzipped_save_is_a_folder_of_the_keras_members_and_loads_back(tmp_path):
    model = _mlp()
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    folder = tmp_path / "saved_model"
    model.save(folder, zipped=False)
    assert sorted(os.listdir(folder)) == ["config.json", "metadata.json", "model.weights.h5"]
    loaded = lamina.models.load_model(folder)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    with pytest.raises(ValueError, match="should not end in `.keras`"):
        model.save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model.save(folder, zipped=False, overwrite=False)


def test_a_failed_unzipped_save_leaves_the_previous_folder(tmp_path, monkeypatch):
    folder = tmp_path / "saved_model"
    lamina.Sequential([lamina.Input((3,)), layers.Dense(2)]).save(folder, zipped=False)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", fail)
    with pytest.raises(OSError, match="disk full"):
        lamina.Sequential([lamina.Input((3,)), layers.Dense(5)]).save(folder, zipped=False)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["saved_model"]  # no temporary folder left beside it
    assert lamina.models.load_model(folder).layers[0].units == 2
    lamina.Sequential([lamina.Input((3,)), layers.Dense(5)]).save(folder, zipped=False)
    assert lamina.models.load_model(folder).layers[0].units == 5
    assert os.listdir(tmp_path) == ["saved_model"]


def test_a_folder_keras_saved_unzipped_loads(tmp_path):
    # fixtures/saving/make_unzipped_model.py: Keras 3.15's model.save(folder, zipped=False).
    fixtures = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saving")
    reference = np.load(os.path.join(fixtures, "unzipped_by_keras.npz"))
    model = lamina.models.load_model(os.path.join(fixtures, "unzipped_by_keras"))
    np.testing.assert_allclose(model.predict(reference["x"], verbose=0), reference["y"],
                               rtol=1e-6, atol=1e-6)
    assert model.loss == "sparse_categorical_crossentropy" and int(model.optimizer.iterations) == 2
