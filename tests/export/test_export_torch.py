"""model.export(..., format="torch"): a torch.export program whose module predicts as the model."""
import subprocess
import sys

import numpy as np
import pytest
import torch

import lamina
from lamina import layers


def as_tensors(inputs):
    if isinstance(inputs, list):
        return [torch.from_numpy(array) for array in inputs]
    return torch.from_numpy(inputs)


def test_loaded_program_predicts_as_the_model_for_other_batch_sizes(export_case, tmp_path):
    name, model, inputs_of = export_case
    path = str(tmp_path / f"{name}.pt2")
    model.export(path, format="torch", verbose=False)  # traced on a batch of 2
    module = torch.export.load(path).module()
    for batch_size in (1, 7):
        inputs = inputs_of(batch_size)
        with torch.no_grad():
            outputs = module(as_tensors(inputs)).numpy()
        expected = model.predict(inputs, verbose=0)
        assert outputs.shape == expected.shape
        np.testing.assert_allclose(outputs, expected, rtol=0, atol=1e-5)


def test_program_loads_in_a_process_without_lamina(tmp_path, capsys):
    features = lamina.Input((4,), name="features")
    counts = lamina.Input((2,), name="counts")
    model = lamina.Model({"features": features, "counts": counts},
                         {"label": layers.Dense(2)(layers.Concatenate()([features, counts]))})
    path = str(tmp_path / "model.pt2")
    model.export(path, format="torch")
    assert capsys.readouterr().out == f"Saved PyTorch ExportedProgram at '{path}'.\n"
    inputs = {"features": np.ones((3, 4), "float32"), "counts": np.full((3, 2), 2.0, "float32")}
    np.savez(tmp_path / "inputs.npz", **inputs)
    arrays = str(tmp_path / "inputs.npz")
    program = ("import sys, numpy as np, torch\n"
               f"inputs = {{k: torch.from_numpy(v) for k, v in np.load({arrays!r}).items()}}\n"
               f"outputs = torch.export.load({path!r}).module()(inputs)\n"
               "assert 'lamina' not in sys.modules\n"
               f"np.save({str(tmp_path / 'label.npy')!r}, outputs['label'].detach().numpy())\n")
    subprocess.run([sys.executable, "-c", program], check=True, timeout=120)
    np.testing.assert_allclose(np.load(tmp_path / "label.npy"),
                               model.predict(inputs, verbose=0)["label"], rtol=0, atol=1e-5)


def test_dynamic_shapes_argument_replaces_the_free_batch_axis(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    path = str(tmp_path / "model.pt2")
    model.export(path, format="torch", verbose=False, dynamic_shapes=None)
    module = torch.export.load(path).module()
    assert module(torch.ones(2, 3)).shape == (2, 2)
    with pytest.raises(AssertionError, match=r"size\(\)\[0\] == 2"):
        module(torch.ones(5, 3))


def test_the_file_name_must_end_with_pt2(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"must end with '\.pt2'.*model\.pth.*'.*model\.pt2'"):
        model.export(str(tmp_path / "model.pth"), format="torch")
    assert list(tmp_path.iterdir()) == []


def test_unknown_torch_export_arguments_are_listed(tmp_path):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="Unsupported arguments for format='torch': opset_version. "
                                         "Supported arguments are: dynamic_shapes, .*strict"):
        model.export(str(tmp_path / "model.pt2"), format="torch", opset_version=18)


def test_a_free_time_axis_the_model_fixes_is_an_error_with_the_fix(tmp_path):
    model = lamina.Sequential([lamina.Input((None, 4)), layers.LSTM(3)])
    with pytest.raises(ValueError, match=r"fixes an axis declared None.*input_signature="
                                         r"\[InputSpec\(shape=\(None, 50, 4\)\)\]"):
        model.export(str(tmp_path / "model.pt2"), format="torch", verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_a_masked_recurrent_model_exports(tmp_path):
    model = lamina.Sequential([lamina.Input((9,), dtype="int32"),
                               layers.Embedding(20, 4, mask_zero=True), layers.GRU(5)])
    tokens = np.random.default_rng(0).integers(1, 20, size=(5, 9)).astype("int32")
    tokens[:2, 6:] = 0  # padded: the mask makes the GRU skip these steps
    path = str(tmp_path / "model.pt2")
    model.export(path, format="torch", verbose=False)
    with torch.no_grad():
        outputs = torch.export.load(path).module()(torch.from_numpy(tokens)).numpy()
    np.testing.assert_allclose(outputs, model.predict(tokens, verbose=0), rtol=0, atol=1e-5)
