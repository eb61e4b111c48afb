"""Exporting a subclassed model that keeps its layers in a list or a dict (the saving guide's).

Before, torch.export stopped at `submodule model.dense_layers: [...] is not an instance of
torch.nn.Module`: the tracked list was not the module torch had registered under that name.
"""
import numpy as np
import pytest
import torch

import lamina as keras


class CustomModel(keras.Model):
    """keras.io's serialization guide: layers in a Python list."""

    def __init__(self, hidden_units):
        super().__init__()
        self.hidden_units = hidden_units
        self.dense_layers = [keras.layers.Dense(u) for u in hidden_units]

    def call(self, inputs):
        x = inputs
        for layer in self.dense_layers:
            x = layer(x)
        return x

    def get_config(self):
        return {"hidden_units": self.hidden_units}


class Heads(keras.Model):
    def __init__(self):
        super().__init__()
        self.trunk = [keras.layers.Dense(8, activation="relu"), [keras.layers.Dense(8)]]
        self.heads = {"items": keras.layers.Dense(3), "b": keras.layers.Dense(3)}

    def call(self, inputs):
        x = self.trunk[1][0](self.trunk[0](inputs))
        return self.heads["items"](x) - self.heads["b"](x)


def _model(kind):
    model = CustomModel([16, 16, 10]) if kind == "list" else Heads()
    model(keras.random.uniform((1, 5)))
    return model


X = np.random.default_rng(0).normal(size=(7, 5)).astype("float32")


@pytest.mark.parametrize("kind, weight", [("list", "dense_layers.0.kernel"),
                                          ("dict", "heads.items_.kernel")])
def test_torch_program_predicts_as_the_model(kind, weight, tmp_path):
    model = _model(kind)
    path = tmp_path / "model.pt2"
    model.export(path, format="torch", verbose=False)
    program = torch.export.load(path)
    assert f"model.{weight}" in program.state_dict  # the model's keys, under the wrapper
    with torch.no_grad():
        outputs = program.module()(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(outputs, model.predict(X, verbose=0), rtol=0, atol=1e-5)


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_onnx_the_default_format_predicts_as_the_model(kind, tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    model = _model(kind)
    path = str(tmp_path / "exp")  # the guide's name, without an extension
    model.export(path, verbose=False)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    (outputs,) = session.run(None, {session.get_inputs()[0].name: X})
    np.testing.assert_allclose(outputs, model.predict(X, verbose=0), rtol=0, atol=1e-5)
