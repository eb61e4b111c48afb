"""What goes wrong when loading, said clearly; and loading that never runs code from a file."""
import json
import zipfile

import h5py
import numpy as np
import pytest
import torch

import lamina
from lamina import layers


def _model(units=2, name=None):
    return lamina.Sequential([lamina.Input((3,)), layers.Dense(4, name="hidden"),
                              layers.Dense(units, name=name or "output")])


def _rewrite_config(path, target, edit):
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "config.json":
                config = json.loads(data)
                edit(config)
                data = json.dumps(config).encode()
            out.writestr(name, data)


# ------------------------------------------------------------------------------- extensions
@pytest.mark.parametrize("call", [
    lambda m, p: m.save(p), lambda m, p: m.save_weights(p), lambda m, p: m.load_weights(p),
    lambda m, p: lamina.models.load_model(p)])
def test_unknown_extension_lists_the_formats(tmp_path, call):
    with pytest.raises(ValueError, match=r"'\.keras'.*'\.h5'|'\.weights\.h5'.*'\.h5'") as info:
        call(_model(), tmp_path / "model.tf")
    message = str(info.value)
    assert "model.tf" in message
    assert ".keras" in message and ".h5" in message and ".weights.h5" in message


def test_filepath_must_be_a_path():
    with pytest.raises(TypeError, match="Argument `filepath` must be a path"):
        _model().save(42)


# ---------------------------------------------------------------------------- corrupt files
def test_truncated_keras_file_names_the_file_and_the_fault(tmp_path):
    path = tmp_path / "cut.keras"
    _model().save(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"cut\.keras.*not a valid \.keras file.*truncated or "
                                         r"corrupt"):
        lamina.models.load_model(path)


def test_corrupt_weights_member_is_named(tmp_path):
    good, bad = tmp_path / "good.keras", tmp_path / "bad.keras"
    _model().save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            out.writestr(name, data[:100] if name == "model.weights.h5" else data)
    with pytest.raises(ValueError, match=r"bad\.keras:model\.weights\.h5.*not a valid HDF5 file"):
        lamina.models.load_model(bad)


def test_config_that_is_not_json_is_named(tmp_path):
    good, bad = tmp_path / "good.keras", tmp_path / "bad.keras"
    _model().save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as out:
        for name in source.namelist():
            out.writestr(name, b"{oops" if name == "config.json" else source.read(name))
    with pytest.raises(ValueError, match=r"bad\.keras.*config\.json is not valid JSON"):
        lamina.models.load_model(bad)


def test_archive_without_config_is_named(tmp_path):
    path = tmp_path / "empty.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match=r"empty\.keras.*has no 'config\.json'"):
        lamina.models.load_model(path)


@pytest.mark.parametrize("filename", ["junk.h5", "junk.weights.h5"])
def test_file_that_is_not_hdf5_is_named(tmp_path, filename):
    path = tmp_path / filename
    path.write_bytes(b"definitely not HDF5" * 10)
    with pytest.raises(ValueError, match=rf"{filename.replace('.', '[.]')}.*not a valid HDF5 file"):
        _model().load_weights(path)


def test_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No file or directory found at"):
        lamina.models.load_model(tmp_path / "absent.keras")


def test_weights_only_h5_is_not_a_model(tmp_path):
    _model().save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"No model config found.*only weights.*load_weights"):
        lamina.models.load_model(tmp_path / "w.h5")


def test_truncated_pt_file_is_named(tmp_path):
    path = tmp_path / "w.pt"
    _model().save_weights(path)
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(ValueError, match=r"w\.pt.*as a PyTorch state_dict.*truncated or corrupt"):
        _model().load_weights(path)


# ------------------------------------------------------------------------ unknown classes
def test_unknown_class_asks_for_custom_objects(tmp_path):
    good, bad = tmp_path / "good.keras", tmp_path / "bad.keras"
    _model().save(good)

    def rename(config):
        config["config"]["layers"][1].update(class_name="Denze", module="my_project.layers",
                                             registered_name="my_project>Denze")

    _rewrite_config(good, bad, rename)
    with pytest.raises(TypeError, match=r"Could not locate class 'Denze'.*Did you mean 'Dense'.*"
                                        r"custom_objects=\{'Denze': Denze\}.*"
                                        r"register_keras_serializable"):
        lamina.models.load_model(bad)


def test_custom_objects_and_scope_resolve_unregistered_classes(tmp_path):
    class Doubler(layers.Layer):
        def call(self, inputs):
            return inputs * 2

    model = lamina.Sequential([lamina.Input((3,)), Doubler(name="doubler")])
    model.save(tmp_path / "m.keras")
    with pytest.raises(TypeError, match="Could not locate class 'Doubler'"):
        lamina.models.load_model(tmp_path / "m.keras")
    loaded = lamina.models.load_model(tmp_path / "m.keras", custom_objects={"Doubler": Doubler})
    assert type(loaded.layers[0]) is Doubler
    with lamina.saving.custom_object_scope({"Doubler": Doubler}):
        assert type(lamina.models.load_model(tmp_path / "m.keras").layers[0]) is Doubler
    assert lamina.saving.get_registered_object("Doubler") is None  # the scope ended


def test_config_never_imports_a_module_it_names():
    config = {"module": "os", "class_name": "system", "config": {"command": "echo hacked"},
              "registered_name": None}
    with pytest.raises(TypeError, match="Could not locate class 'system'.*never code from a file"):
        lamina.saving.deserialize_keras_object(config)
    function = {"module": "os", "class_name": "function", "config": "system",
                "registered_name": None}
    with pytest.raises(TypeError, match="Could not locate function 'system'"):
        lamina.saving.deserialize_keras_object(function)


def test_keras_module_names_map_to_lamina_classes():
    for module in ("keras.layers", "keras.src.layers.core.dense", "lamina.layers.core.dense"):
        layer = lamina.saving.deserialize_keras_object(
            {"module": module, "class_name": "Dense", "config": {"units": 3}})
        assert type(layer) is layers.Dense and layer.units == 3
    # No module key: a Keras 2 (legacy .h5) config, whose built-ins are found by name.
    legacy = lamina.saving.deserialize_keras_object({"class_name": "Dense", "config": {"units": 3}})
    assert type(legacy) is layers.Dense


def test_a_user_class_named_like_a_built_in_does_not_load_as_the_built_in():
    # Keras 3 writes "module": None for a user's class; its own RootMeanSquaredError (DLwP
    # ch. 7) must not come back as keras.metrics.RootMeanSquaredError.
    config = {"module": None, "class_name": "RootMeanSquaredError", "config": {},
              "registered_name": "RootMeanSquaredError"}
    with pytest.raises(TypeError, match=r"Could not locate class 'RootMeanSquaredError'"):
        lamina.saving.deserialize_keras_object(config)


# ---------------------------------------------------------------------------- mismatches
@pytest.mark.parametrize("filename", ["w.weights.h5", "w.h5", "w.pt", "w.keras"])
def test_weight_shape_mismatch_names_the_layer_and_both_shapes(tmp_path, filename):
    source = _model(units=5)
    path = tmp_path / filename
    source.save(path) if filename.endswith(".keras") else source.save_weights(path)
    target = _model(units=2)
    before = target.get_weights()
    with pytest.raises(ValueError, match=r"'output'.*\(4, 2\).*\(4, 5\)|'output'.*\(2,\).*\(5,\)"):
        target.load_weights(path)
    for got, want in zip(target.get_weights(), before):  # nothing was half-loaded
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("filename", ["w.weights.h5", "w.h5", "w.pt"])
def test_different_architecture_names_the_first_layer_that_differs(tmp_path, filename):
    source = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, name="hidden"),
                                layers.Dense(4, name="extra"), layers.Dense(2, name="output")])
    source.save_weights(tmp_path / filename)
    target = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, name="hidden"),
                                layers.Reshape((4, 1)), layers.Conv1D(2, 1, name="conv")])
    with pytest.raises(ValueError, match=r"different architecture.*'conv'|'conv'.*different architecture"):
        target.load_weights(tmp_path / filename)


def test_skip_mismatch_loads_the_layers_that_fit(tmp_path):
    source = _model(units=5)
    source.save_weights(tmp_path / "w.weights.h5")
    target = _model(units=2)
    with pytest.warns(UserWarning, match="Skipping loading weights for layer 'output'"):
        target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    for got, want in zip(target.get_layer("hidden").get_weights(),
                         source.get_layer("hidden").get_weights()):
        np.testing.assert_array_equal(got, want)


def test_unbuilt_model_cannot_save_weights(tmp_path):
    with pytest.raises(ValueError, match="has not yet been built"):
        lamina.Sequential([layers.Dense(2)]).save_weights(tmp_path / "w.weights.h5")


# ------------------------------------------------------------------------------ safe mode
def _lambda_model():
    return lamina.Sequential([lamina.Input((3,)), layers.Lambda(lambda x: x * 3.0),
                              layers.Dense(1)])


def test_lambda_is_refused_unless_safe_mode_is_off(tmp_path):
    model = _lambda_model()
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"Python lambda.*arbitrary code.*safe_mode=False.*"
                                         r"enable_unsafe_deserialization"):
        lamina.models.load_model(tmp_path / "m.keras")
    loaded = lamina.models.load_model(tmp_path / "m.keras", safe_mode=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_enable_unsafe_deserialization_lets_lambdas_load(tmp_path, monkeypatch):
    _lambda_model().save(tmp_path / "m.keras")
    monkeypatch.setattr(lamina.config, "_unsafe_deserialization", False)
    lamina.config.enable_unsafe_deserialization()
    assert type(lamina.models.load_model(tmp_path / "m.keras").layers[0]).__name__ == "Lambda"


def test_pt_loading_never_unpickles_objects(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("pickled code ran",))

    path = tmp_path / "evil.pt"
    with open(path, "wb") as file:
        torch.save({"w": Payload()}, file)
    with pytest.raises(ValueError, match=r"evil\.pt.*as a PyTorch state_dict"):
        _model().load_weights(path)


def test_h5_configs_are_json_never_pickles(tmp_path):
    _model().save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as h5file:
        config = json.loads(h5file.attrs["model_config"])
    assert config["class_name"] == "Sequential"


def test_custom_functions_and_classes_inside_layer_configs(tmp_path):
    """Activations, initializers and regularizers nested in a layer's config resolve through
    the registry, `custom_objects` and `custom_object_scope`, as in Keras."""
    @lamina.saving.register_keras_serializable(package="tests_nested")
    def soft_double(x):
        return 2 * torch.tanh(x)

    class HalfInit(lamina.initializers.Initializer):
        def __call__(self, shape, dtype=None, **kwargs):
            return torch.full(shape, 0.5)

        def get_config(self):
            return {}

    @lamina.saving.register_keras_serializable(package="tests_nested")
    class AbsPenalty(lamina.regularizers.Regularizer):
        def __call__(self, weight):
            return weight.abs().sum()

        def get_config(self):
            return {}

    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(
        2, activation=soft_double, kernel_initializer=HalfInit(), kernel_regularizer=AbsPenalty())])
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="Unknown initializer: 'HalfInit'"):
        lamina.models.load_model(tmp_path / "m.keras")
    loaded = lamina.models.load_model(tmp_path / "m.keras", custom_objects={"HalfInit": HalfInit})
    dense = loaded.layers[0]
    assert dense.activation is soft_double
    assert type(dense.kernel_initializer) is HalfInit
    assert type(dense.kernel_regularizer) is AbsPenalty
    with lamina.saving.custom_object_scope({"HalfInit": HalfInit}):
        assert type(lamina.models.load_model(tmp_path / "m.keras").layers[0]
                    .kernel_initializer) is HalfInit


def test_a_file_of_a_larger_model_loads_the_layers_this_model_has_with_a_warning(tmp_path):
    # Keras reads only the model's own layers from the file and ignores the rest.
    source = lamina.Sequential([lamina.Input((3,)), layers.Dense(4), layers.Dense(2)])
    source.save_weights(tmp_path / "w.weights.h5")
    smaller = lamina.Sequential([lamina.Input((3,)), layers.Dense(4)])
    with pytest.warns(UserWarning, match=r"skipped the weights of layer 'dense_\d+' at "
                                         r"'layers/dense_\d+/vars', which this model does not "
                                         r"have: the file was saved from a larger"):
        smaller.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(smaller.get_weights()[0], source.get_weights()[0])


def _trained_adam_model(x, y, epochs):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    model.compile("adam", "mse")
    if epochs:
        model.fit(x, y, epochs=epochs, batch_size=4, verbose=0)
    return model


def test_load_weights_leaves_an_optimizer_that_took_no_step_as_keras_does(tmp_path):
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    _trained_adam_model(x, y, epochs=2).save_weights(tmp_path / "w.weights.h5")
    fresh = _trained_adam_model(x, y, epochs=0)
    with pytest.warns(UserWarning, match=r"^Skipping variable loading for optimizer 'adam(_\d+)?', "
                                         r"because it has 2 variables whereas the saved "
                                         r"optimizer has 6 variables\. $"):
        fresh.load_weights(tmp_path / "w.weights.h5")
    assert int(fresh.optimizer.iterations) == 0
    trained = _trained_adam_model(x, y, epochs=1)  # a built optimizer takes the saved state
    trained.load_weights(tmp_path / "w.weights.h5")
    assert int(trained.optimizer.iterations) == 4
