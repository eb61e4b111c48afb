"""`keras.ops` on Keras tensors in functional models, as Keras 3 allows (and saves them)."""
import json
import zipfile

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import ops


def ops_model():
    x = keras.Input((4, 3), name="x")
    mean = ops.expand_dims(ops.mean(x, axis=-1), -1)
    joined = ops.concatenate([x, mean], axis=-1)
    kept = ops.where(joined > 0.5, joined, ops.zeros_like(joined))
    counts = ops.cast(ops.sum(ops.cast(kept > 0, "int32"), axis=-1), "int32")
    attention = ops.softmax(ops.matmul(joined, ops.transpose(joined, (0, 2, 1))), axis=-1)
    return keras.Model(x, [counts, attention])


def expected(data):
    mean = data.mean(-1, keepdims=True)
    joined = np.concatenate([data, mean], -1)
    kept = np.where(joined > 0.5, joined, 0)
    scores = joined @ joined.transpose(0, 2, 1)
    exp = np.exp(scores - scores.max(-1, keepdims=True))
    return (kept > 0).sum(-1), exp / exp.sum(-1, keepdims=True)


DATA = np.random.default_rng(0).random((2, 4, 3)).astype("float32")


def test_symbolic_shapes_and_dtypes():
    x = keras.Input((4, 3))
    assert ops.expand_dims(ops.mean(x, axis=-1), -1).shape == (None, 4, 1)
    assert ops.concatenate([x, x], axis=1).shape == (None, 8, 3)
    cast = ops.cast(x, "int32")
    assert (cast.shape, cast.dtype) == ((None, 4, 3), "int32")
    assert ops.shape(x) == (None, 4, 3)


def test_model_of_ops_computes_what_numpy_does():
    counts, attention = ops_model().predict(DATA, verbose=0)
    want_counts, want_attention = expected(DATA.astype("float64"))
    np.testing.assert_array_equal(counts, want_counts)
    assert counts.dtype == np.int32
    np.testing.assert_allclose(attention, want_attention, rtol=1e-5)


def test_ops_nodes_are_hidden_from_layers():
    assert [layer.name for layer in ops_model().layers] == ["x"]


def test_ops_mixed_with_layers_train():
    x = keras.Input((3,))
    hidden = keras.layers.Dense(4)(x)
    outputs = keras.layers.Dense(1)(ops.concatenate([hidden, ops.square(hidden)], axis=-1))
    model = keras.Model(x, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    rng = np.random.default_rng(1)
    features = rng.normal(size=(64, 3)).astype("float32")
    targets = (features ** 2).sum(1, keepdims=True)
    history = model.fit(features, targets, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_config_round_trip():
    model = ops_model()
    clone = keras.Model.from_config(model.get_config())
    for a, b in zip(model.predict(DATA, verbose=0), clone.predict(DATA, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_config_is_keras_operation_form():
    entries = {e["name"]: e for e in ops_model().get_config()["layers"]}
    mean = entries["mean"]
    assert (mean["module"], mean["class_name"]) == ("keras.src.ops.numpy", "Mean")
    assert mean["config"] == {"name": "mean", "axis": -1, "keepdims": False}
    assert entries["softmax"]["module"] == "keras.src.ops.nn"
    assert entries["cast"]["config"]["dtype"] == "int32"
    joined = entries["concatenate"]["inbound_nodes"][0]["args"]
    assert len(joined) == 1 and len(joined[0]) == 2  # the list of tensors is one argument


def test_saved_and_loaded(tmp_path):
    model = ops_model()
    model.save(tmp_path / "ops.keras")
    loaded = keras.saving.load_model(tmp_path / "ops.keras")
    for a, b in zip(model.predict(DATA, verbose=0), loaded.predict(DATA, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_eager_ops_are_unchanged():
    assert torch.equal(ops.concatenate([torch.ones(1, 2), torch.zeros(1, 1)], axis=-1),
                       torch.tensor([[1.0, 1.0, 0.0]]))
    with pytest.raises(ValueError, match="invalid for input of size 6"):
        ops.reshape(torch.ones(2, 3), (4, 4))  # an error on data names the op and keeps torch's


def test_an_op_taking_variadic_tensors_records_a_node_that_saves_as_keras_einsum(tmp_path):
    x, y = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([x, y], ops.einsum("bi,bi->b", x, y))
    a, b = np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")
    np.testing.assert_allclose(model.predict([a, b], verbose=0), [6.0, 6.0])
    model.save(tmp_path / "einsum.keras")
    with zipfile.ZipFile(tmp_path / "einsum.keras") as archive:
        entry = json.loads(archive.read("config.json"))["config"]["layers"][2]
    assert entry["class_name"] == "Einsum" and entry["config"]["subscripts"] == "bi,bi->b"
    loaded = keras.models.load_model(tmp_path / "einsum.keras")
    np.testing.assert_allclose(loaded.predict([a, b], verbose=0), [6.0, 6.0])


def test_ops_on_a_hand_made_keras_tensor_work_before_any_layer_is_used():
    import subprocess
    import sys

    program = ("import lamina as keras\n"
               "t = keras.KerasTensor((3, 4))\n"
               "print(keras.ops.sum(t, axis=1).shape, (t + 1).shape)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(3,) (3, 4)"
