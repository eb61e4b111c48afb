"""Keras 2's `.h5` files: those written by real tf.keras 2.21 load here, and lamina writes the layout.

The fixtures (tests/fixtures/saving/legacy_*.h5) were written by tf.keras 2 (the `tf_keras`
package on TensorFlow 2.21): whole models after two epochs of training, and `save_weights`.
"""
import json
from pathlib import Path

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "saving"
NAMES = ["mlp", "branches", "cnn", "recurrent", "nested"]


def _texts(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def _predict(model, reference, name):
    predictions = model.predict(reference.inputs(f"{name}/x"), verbose=0)
    return predictions if isinstance(predictions, list) else [predictions]


@pytest.mark.parametrize("name", NAMES)
def test_tf_keras_file_loads_and_predicts_as_tf_keras_did(name, legacy_reference):
    model = lamina.models.load_model(FIXTURES / f"legacy_{name}.h5")
    for got, want in zip(_predict(model, legacy_reference, name),
                         legacy_reference.listed(f"{name}/y"), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_tf_keras_weights_file_loads_into_the_rebuilt_model(name, legacy_reference):
    model = lamina.models.load_model(FIXTURES / f"legacy_{name}.h5", compile=False)
    for layer in model.layers:  # scramble, so that the load below has to set every weight
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    model.load_weights(FIXTURES / f"legacy_{name}.weights_only.h5")
    for got, want in zip(_predict(model, legacy_reference, name),
                         legacy_reference.listed(f"{name}/y"), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_tf_keras_compile_state_comes_back():
    model = lamina.models.load_model(FIXTURES / "legacy_mlp.h5")
    assert model.loss == "sparse_categorical_crossentropy"
    assert model._metrics_spec[0] == ["accuracy"]
    assert type(model.optimizer).__name__ == "Adam"  # tf.keras writes it as "Custom>Adam"
    assert int(model.optimizer.iterations) == 6  # 2 epochs of 3 batches
    branches = lamina.models.load_model(FIXTURES / "legacy_branches.h5")
    assert branches.loss == ["mse", "binary_crossentropy"]
    assert branches._metrics_spec[0] == [["mae"], ["accuracy"]]
    assert branches.optimizer.get_config()["momentum"] == pytest.approx(0.9)


def test_tf_keras_optimizer_slots_are_restored():
    with h5py.File(FIXTURES / "legacy_recurrent.h5") as h5file:
        group = h5file["optimizer_weights"]
        saved = [np.asarray(group[name]) for name in group.attrs["weight_names"]]
    optimizer = lamina.models.load_model(FIXTURES / "legacy_recurrent.h5").optimizer
    values = optimizer.get_weights()
    # tf.keras keeps no learning-rate variable: iterations, then m and v per weight.
    assert len(values) == len(saved) + 1
    assert int(values[0]) == int(saved[0]) == 2
    for got, want in zip(values[2:], saved[1:], strict=True):
        np.testing.assert_array_equal(got, want)


def test_by_name_matches_layers_by_name(tmp_path):
    source = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, name="a"),
                                layers.Dense(2, name="b")])
    source.save_weights(tmp_path / "w.h5")
    target = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, name="a"),
                                layers.Dense(7, name="other"), layers.Dense(2, name="unused")])
    target.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(target.get_layer("a").get_weights()[0],
                                  source.get_layer("a").get_weights()[0])


def test_lamina_writes_keras_2_layout(tmp_path):
    inner = lamina.Sequential([layers.Dense(3, name="d1"), layers.BatchNormalization(name="bn")],
                              name="inner")
    inputs = lamina.Input((2,), name="x")
    model = lamina.Model(inputs, layers.Dense(1, name="out")(inner(inputs)), name="book")
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    model.save(tmp_path / "model-whole.h5")
    with h5py.File(tmp_path / "model-whole.h5") as h5file:
        assert {"model_config", "training_config", "keras_version", "backend"} <= set(h5file.attrs)
        assert json.loads(h5file.attrs["model_config"])["class_name"] == "Functional"
        training = json.loads(h5file.attrs["training_config"])
        assert training["loss"] == "mse"
        assert training["optimizer_config"]["class_name"] == "Adam"
        weights = h5file["model_weights"]
        assert _texts(weights.attrs["layer_names"]) == ["x", "inner", "out"]
        names = _texts(weights["inner"].attrs["weight_names"])
        # Keras 2's order inside a layer: trainable weights, then non-trainable ones.
        assert [n.rsplit("/", 1)[-1] for n in names] == [
            "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"]
        assert len(set(names)) == len(names)
        assert weights["inner"][names[0]].shape == (2, 3)
        assert "optimizer_weights" in h5file
    loaded = lamina.models.load_model(tmp_path / "model-whole.h5")
    np.testing.assert_allclose(loaded.predict(np.ones((2, 2)), verbose=0),
                               model.predict(np.ones((2, 2)), verbose=0), rtol=1e-6)


KERAS_FIXTURES = sorted(p.stem[len("keras_"):] for p in FIXTURES.glob("keras_*.keras"))


@pytest.mark.parametrize("name", KERAS_FIXTURES)
def test_every_layer_family_round_trips_through_h5(name, tmp_path, keras_reference):
    """The Keras 3 fixtures (every layer family, nested and subclassed models) saved in
    Keras 2's layout load back with the same predictions."""
    model = lamina.models.load_model(FIXTURES / f"keras_{name}.keras")
    model.save(tmp_path / "model.h5")
    loaded = lamina.models.load_model(tmp_path / "model.h5")
    x = keras_reference.inputs(f"{name}/x")
    for got, want in zip(_as_list(loaded.predict(x, verbose=0)),
                         _as_list(model.predict(x, verbose=0)), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_saving_h5_gives_keras_legacy_notice(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1)])
    assert not model.compiled
    model.compile("adam", "mse")
    assert model.compiled
    with pytest.warns(UserWarning, match="This file format is considered legacy"):
        model.save(tmp_path / "model.h5")
