"""model.export(..., format="onnx"): the file run in ONNX Runtime predicts as lamina does."""
import importlib.util

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.layers.input_spec import InputSpec

onnxruntime = pytest.importorskip("onnxruntime")


def run_onnx(path, inputs):
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    arrays = inputs if isinstance(inputs, list) else [inputs]
    feed = {spec.name: array for spec, array in zip(session.get_inputs(), arrays)}
    return session, session.run(None, feed)


def test_onnx_predicts_as_lamina_for_other_batch_sizes(export_case, tmp_path):
    name, model, inputs_of = export_case
    path = str(tmp_path / f"{name}.onnx")
    model.export(path, format="onnx", verbose=False)  # traced on a batch of 2
    for batch_size in (1, 7):
        inputs = inputs_of(batch_size)
        _, outputs = run_onnx(path, inputs)
        expected = model.predict(inputs, verbose=0)
        assert outputs[0].shape == expected.shape
        np.testing.assert_allclose(outputs[0], expected, rtol=0, atol=1e-5)


def test_onnx_is_the_default_format_with_the_models_input_and_output_names(tmp_path, capsys):
    features = lamina.Input((4,), name="features")
    counts = lamina.Input((2,), dtype="int64", name="counts")
    merged = layers.Concatenate()([features, layers.Dense(3)(counts)])
    model = lamina.Model({"features": features, "counts": counts},
                         {"label": layers.Dense(2, name="label")(merged)})
    path = str(tmp_path / "model.onnx")
    model.export(path)
    assert capsys.readouterr().out == f"Saved artifact at '{path}'.\n"
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    # In the order of model.inputs: a dict's keys sorted, as Keras flattens them.
    assert [(spec.name, spec.shape, spec.type) for spec in session.get_inputs()] == [
        ("counts", ["batch", 2], "tensor(int64)"), ("features", ["batch", 4], "tensor(float)")]
    assert [(spec.name, spec.shape) for spec in session.get_outputs()] == [("label", ["batch", 2])]
    inputs = {"features": np.ones((3, 4), "float32"), "counts": np.arange(6).reshape(3, 2)}
    expected = model.predict(inputs, verbose=0)["label"]
    np.testing.assert_allclose(session.run(None, inputs)[0], expected, rtol=0, atol=1e-5)


def test_a_sequential_output_is_named_after_its_last_layer(tmp_path):
    model = lamina.Sequential([lamina.Input((3,), name="pixels"), layers.Dense(2, name="probs")])
    path = str(tmp_path / "model.onnx")
    model.export(path, verbose=False)
    session, _ = run_onnx(path, np.zeros((1, 3), "float32"))
    assert [spec.name for spec in session.get_inputs()] == ["pixels"]
    assert [spec.name for spec in session.get_outputs()] == ["probs"]


def test_input_signature_fixes_the_shapes(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    path = str(tmp_path / "model.onnx")
    model.export(path, verbose=False,
                 input_signature=[InputSpec(shape=(4, 3), dtype="float32", name="x")])
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    assert [(spec.name, spec.shape) for spec in session.get_inputs()] == [("x", [4, 3])]


def test_a_subclassed_model_built_on_data_exports(tmp_path):
    class TwoLayers(lamina.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(5, activation="relu")
            self.out = layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = TwoLayers()
    x = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "model.onnx")
    model.export(path, verbose=False)
    np.testing.assert_allclose(run_onnx(path, x)[1][0], expected, rtol=0, atol=1e-5)


def test_exporting_leaves_the_training_mode_as_it_was(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dropout(0.5), layers.Dense(2)])
    model.train()
    model.export(str(tmp_path / "model.onnx"), verbose=False)
    assert all(module.training for module in model.modules())


def test_a_second_export_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"old")
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    model.export(str(path), verbose=False)
    assert path.read_bytes() != b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_a_failed_export_leaves_the_previous_file(tmp_path):
    class ValueDependent(lamina.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            outputs = self.dense(inputs)
            return outputs if bool(outputs.sum() > 0) else -outputs

    model = ValueDependent()
    model.predict(np.ones((2, 3), "float32"), verbose=0)
    path = tmp_path / "model.onnx"
    path.write_bytes(b"previous")
    with pytest.raises(RuntimeError, match="Could not export model 'value_dependent': "
                                           "torch.export failed"):
        model.export(str(path), verbose=False)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_unknown_onnx_arguments_are_listed(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="Unsupported arguments for format='onnx': opset") as info:
        model.export(str(tmp_path / "model.onnx"), opset=18)
    assert "opset_version" in str(info.value)


def test_missing_onnx_names_the_extra(tmp_path, monkeypatch):
    find_spec = importlib.util.find_spec
    def without_onnxscript(name, *args):
        return None if name == "onnxscript" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_onnxscript)
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    with pytest.raises(ImportError, match=r"onnxscript.*pip install lamina\[onnx\]"):
        model.export(str(tmp_path / "model.onnx"))
    assert list(tmp_path.iterdir()) == []


def test_a_free_time_axis_the_model_fixes_is_an_error_with_the_fix(tmp_path):
    model = lamina.Sequential([lamina.Input((None, 4)), layers.SimpleRNN(3), layers.Dense(1)])
    path = tmp_path / "model.onnx"
    with pytest.raises(ValueError, match=r"fixes an axis declared None.*input_signature="
                                         r"\[InputSpec\(shape=\(None, 50, 4\)\)\]"):
        model.export(str(path), verbose=False)
    assert not path.exists()
    model.export(str(path), verbose=False, input_signature=[InputSpec(shape=(None, 6, 4))])
    x = np.random.default_rng(0).normal(size=(3, 6, 4)).astype("float32")
    np.testing.assert_allclose(run_onnx(str(path), x)[1][0], model.predict(x, verbose=0),
                               rtol=0, atol=1e-5)


@pytest.mark.parametrize("recurrent", [layers.LSTM, layers.GRU])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_a_masked_recurrent_model_exports_and_predicts_as_lamina(recurrent, return_sequences,
                                                                 tmp_path):
    # Embedding(mask_zero=True) sends a mask to the fused recurrent kernel, which moves each
    # row's valid steps to the front; that must export (ONNX has no stable sort).
    model = lamina.Sequential([lamina.Input((9,), dtype="int32"),
                               layers.Embedding(20, 8, mask_zero=True),
                               recurrent(6, return_sequences=return_sequences), layers.Dense(2)])
    path = str(tmp_path / "masked.onnx")
    model.export(path, format="onnx", verbose=False)
    rng = np.random.default_rng(4)
    for batch_size in (5, 3):
        tokens = rng.integers(1, 20, size=(batch_size, 9)).astype("int32")
        tokens[0, 6:] = 0          # right padding
        tokens[1, :4] = 0          # left padding (pad_sequences' default)
        tokens[2, [1, 2, 5]] = 0   # holes
        if batch_size == 5:
            tokens[3] = 0          # nothing valid
        _, outputs = run_onnx(path, tokens)
        expected = model.predict(tokens, verbose=0)
        assert outputs[0].shape == expected.shape
        np.testing.assert_allclose(outputs[0], expected, rtol=0, atol=1e-5)
