"""Interchange with real Keras 3: its `.keras` files load here, and lamina's files keep its layout.

The fixtures (tests/fixtures/saving/keras_*.keras) were written by Keras 3.15 on JAX; each
holds a model built from layers lamina has, with Keras' predictions and, for the compiled
ones, the weights Keras reached after one more training step.
"""
import io
import json
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

import lamina

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "saving"
NAMES = sorted(p.stem[len("keras_"):] for p in FIXTURES.glob("keras_*.keras"))
COMPILED = ["functional", "masked_nested", "nested", "regularized", "subclassed", "text"]


def test_every_layer_family_has_a_keras_fixture():
    assert NAMES == sorted(["activation_layers", "attention", "convolution", "custom_layer",
                            "functional", "masked_nested", "named_operations", "nested", "normalization",
                            "operations", "preprocessing",
                            "regularized", "reshaping", "sequence", "sequential", "subclassed",
                            "text"])


def _predict(model, reference, name):
    predictions = model.predict(reference.inputs(f"{name}/x"), verbose=0)
    return predictions if isinstance(predictions, list) else [predictions]


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_loads_and_predicts_as_keras_did(name, keras_reference):
    model = lamina.models.load_model(FIXTURES / f"keras_{name}.keras")
    expected = keras_reference.listed(f"{name}/y")
    predictions = _predict(model, keras_reference, name)
    assert len(predictions) == len(expected)
    for got, want in zip(predictions, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", COMPILED)
def test_optimizer_state_from_keras_continues_training(name, keras_reference):
    """One more step from the loaded state reaches the weights Keras reached."""
    model = lamina.models.load_model(FIXTURES / f"keras_{name}.keras")
    model.train_on_batch(keras_reference.inputs(f"{name}/fit_x"),
                         keras_reference.inputs(f"{name}/fit_y"))
    expected = keras_reference.listed(f"{name}/next_")
    weights = model.get_weights()
    assert len(weights) == len(expected)
    for got, want in zip(weights, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_fresh_optimizer_would_not_reach_keras_weights(keras_reference):
    """The check above can fail: without the saved slots the step lands elsewhere."""
    model = lamina.models.load_model(FIXTURES / "keras_text.keras")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.train_on_batch(keras_reference["text/fit_x0"], keras_reference["text/fit_y0"])
    gaps = [np.abs(w - r).max() for w, r in zip(model.get_weights(),
                                                keras_reference.listed("text/next_"))]
    assert max(gaps) > 1e-4


def test_compile_state_comes_back():
    model = lamina.models.load_model(FIXTURES / "keras_functional.keras")
    assert model.loss == ["mse", "binary_crossentropy"]
    assert model._metrics_spec[0] == [["mae"], ["accuracy"]]
    optimizer = model.optimizer
    assert type(optimizer).__name__ == "SGD"
    assert optimizer.get_config()["momentum"] == pytest.approx(0.9)
    assert float(optimizer.learning_rate) == pytest.approx(0.05)
    assert int(optimizer.iterations) == 4  # 2 epochs of 2 batches in the fixture script

    scheduled = lamina.models.load_model(FIXTURES / "keras_regularized.keras").optimizer
    schedule = scheduled.get_config()["learning_rate"]
    assert schedule["class_name"] == "ExponentialDecay"
    assert schedule["config"]["decay_rate"] == 0.5


def test_compile_false_leaves_the_model_uncompiled():
    model = lamina.models.load_model(FIXTURES / "keras_text.keras", compile=False)
    assert model.optimizer is None and not model._compiled


def test_custom_classes_come_from_the_registry(keras_reference):
    model = lamina.models.load_model(FIXTURES / "keras_custom_layer.keras")
    scale = model.layers[1]
    assert type(scale).__name__ == "Scale" and scale.initial == 1.5
    np.testing.assert_allclose(scale.get_weights()[0], np.full(4, 1.5))
    subclassed = lamina.models.load_model(FIXTURES / "keras_subclassed.keras")
    assert type(subclassed).__name__ == "TwoTower" and subclassed.units == 4


# ------------------------------------------------------------------------- lamina's own layout
def _tree(archive_bytes: bytes) -> dict:
    """{dataset path: shape} and {vars group: name attribute} of a model.weights.h5."""
    datasets, names = {}, {}
    with h5py.File(io.BytesIO(archive_bytes), "r") as h5file:
        def visit(path, obj):
            if isinstance(obj, h5py.Dataset):
                datasets[path] = obj.shape
            elif path.endswith("vars"):
                names[path] = obj.attrs.get("name")
        h5file.visititems(visit)
        if "vars" in h5file:
            names["vars"] = h5file["vars"].attrs.get("name")
    return {"datasets": datasets, "groups": set(names)}


@pytest.mark.parametrize("name", NAMES)
def test_lamina_rewrites_keras_files_with_keras_paths(name, tmp_path):
    """Loading a Keras file and saving it again gives the same members, config shape and
    HDF5 paths (`layers/dense/vars/0`, `optimizer/vars/1`, ...) with the same shapes."""
    source = FIXTURES / f"keras_{name}.keras"
    target = tmp_path / f"{name}.keras"
    lamina.models.load_model(source).save(target)
    with zipfile.ZipFile(source) as keras_zip, zipfile.ZipFile(target) as lamina_zip:
        assert lamina_zip.namelist()[:3] == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in lamina_zip.infolist())
        keras_tree = _tree(keras_zip.read("model.weights.h5"))
        lamina_tree = _tree(lamina_zip.read("model.weights.h5"))
        keras_config = json.loads(keras_zip.read("config.json"))
        lamina_config = json.loads(lamina_zip.read("config.json"))
        metadata = json.loads(lamina_zip.read("metadata.json"))
    assert lamina_tree["datasets"] == keras_tree["datasets"]
    # Keras writes a `vars` group for every object; lamina has no twin for a few of Keras'
    # internal weightless sublayers (MultiHeadAttention's softmax and dropout).
    assert {g for g in keras_tree["groups"] - lamina_tree["groups"]
            if "_softmax" not in g and "_dropout_layer" not in g} == set()
    assert set(metadata) >= {"keras_version", "date_saved"}
    assert keras_config.keys() - {"compile_config"} == lamina_config.keys() - {"compile_config"}
    assert lamina_config["class_name"] == keras_config["class_name"]
    assert lamina_config["registered_name"] == keras_config["registered_name"]
    if ">" not in str(keras_config["registered_name"]):  # a registered class is found by name
        assert lamina_config["module"] == keras_config["module"]
    for keras_layer, lamina_layer in zip(keras_config["config"].get("layers", []),
                                         lamina_config["config"].get("layers", [])):
        assert lamina_layer["class_name"] == keras_layer["class_name"]
        if keras_layer["module"] is not None:  # None: a registered class, found by name
            assert lamina_layer["module"] == keras_layer["module"]
        assert "batch_input_shape" not in lamina_layer["config"]  # Keras 3 refuses it


def test_paths_follow_attributes_not_user_names():
    """Keras names groups by class and attribute: a layer named 'output' is `layers/dense_1`."""
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(4, name="hidden"),
                               lamina.layers.Dense(2, name="output")])
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        lamina.saving.saving_lib.write_weights_to_h5(model, h5file)
    tree = _tree(buffer.getvalue())["datasets"]
    assert tree == {"layers/dense/vars/0": (3, 4), "layers/dense/vars/1": (4,),
                    "layers/dense_1/vars/0": (4, 2), "layers/dense_1/vars/1": (2,)}


def _my_init(shape, dtype=None):
    return lamina.ops.ones(shape, dtype=dtype) * 0.1


def _my_l1(weights):
    return 0.01 * lamina.ops.sum(lamina.ops.abs(weights))


def test_a_file_from_keras_on_torch_with_function_initializers_loads_and_trains_on():
    # Keras-on-torch names its optimizers' module keras.src.backend.torch.optimizers.torch_adam,
    # and writes plain functions with registered_name "function" (make_torch_backend_files.py).
    reference = np.load(FIXTURES / "torch_backend_reference.npz")
    model = lamina.models.load_model(FIXTURES / "torch_backend_functions.keras",
                                     custom_objects={"my_init": _my_init, "my_l1": _my_l1})
    assert type(model.optimizer).__name__ == "Adam"
    assert model.layers[0].kernel_regularizer is _my_l1
    np.testing.assert_allclose(model.predict(reference["x"], verbose=0), reference["y"],
                               rtol=1e-5, atol=1e-6)
    model.train_on_batch(reference["fit_x"], reference["fit_y"])
    for i, got in enumerate(model.get_weights()):
        np.testing.assert_allclose(got, reference[f"next_{i}"], rtol=1e-5, atol=1e-6)


def test_a_training_argument_written_into_the_graph_survives_both_ways(tmp_path):
    # Always-on (Monte Carlo) dropout: Keras records `training=True` in the node's kwargs
    # (fixtures/saving/make_always_on_dropout.py); a call without `training` applies it, and
    # the model's own `training` (predict's False) still wins.
    x = np.ones((4, 50), "float32")
    model = lamina.models.load_model(FIXTURES / "always_on_dropout_by_keras.keras")
    assert (np.asarray(model(x)) == 0).mean() > 0.3
    assert (model.predict(x, verbose=0) == 0).sum() == 0
    assert (np.asarray(model(x, training=False)) == 0).sum() == 0
    model.save(tmp_path / "again.keras")
    with zipfile.ZipFile(tmp_path / "again.keras") as archive:
        config = json.loads(archive.read("config.json"))
    dropout = next(layer for layer in config["config"]["layers"] if layer["name"] == "always_on")
    assert dropout["inbound_nodes"][0]["kwargs"] == {"training": True}
    reloaded = lamina.models.load_model(tmp_path / "again.keras")
    assert (np.asarray(reloaded(x)) == 0).mean() > 0.3
