"""backend: device choice and override, dtype names, NumPy/list/tensor conversion."""
import warnings

import numpy as np
import pytest
import torch

import lamina
from lamina import backend


def test_device_is_overridable_and_defaults_to_the_best_available(monkeypatch):
    monkeypatch.setattr(backend, "_device", None)
    monkeypatch.delenv("LAMINA_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        expected = "mps"
    assert backend.get_device().type == expected
    backend.set_device("meta")
    assert backend.get_device() == torch.device("meta")
    monkeypatch.setattr(backend, "_device", None)
    monkeypatch.setenv("LAMINA_DEVICE", "cpu")
    assert backend.get_device() == torch.device("cpu")


@pytest.mark.parametrize("name, expected", [
    ("float32", torch.float32), (None, torch.float32), (np.float64, torch.float64),
    ("int", torch.int64), (torch.int8, torch.int8), ("bfloat16", torch.bfloat16)])
def test_torch_dtype(name, expected):
    assert backend.torch_dtype(name) == expected


def test_torch_dtype_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown dtype: 'floaty'"):
        backend.torch_dtype("floaty")


def test_to_tensor_keeps_integers_and_casts_float64_to_floatx():
    assert backend.to_tensor(np.zeros(3, np.uint8)).dtype == torch.uint8
    assert backend.to_tensor(np.zeros(3, np.float64)).dtype == torch.float32
    assert backend.to_tensor([[1, 2], [3, 4]]).dtype == torch.int64
    assert backend.to_tensor([1.5], dtype="float64").dtype == torch.float64
    big_endian = np.arange(4, dtype=">f4")
    np.testing.assert_array_equal(backend.to_tensor(big_endian).numpy(), np.arange(4))


def test_to_tensor_rejects_ragged_lists():
    with pytest.raises((TypeError, ValueError)):
        backend.to_tensor([[1, 2], [3]])


def test_to_numpy_round_trip():
    array = np.random.default_rng(0).normal(size=(2, 3)).astype(np.float32)
    np.testing.assert_array_equal(backend.to_numpy(backend.to_tensor(array)), array)


def test_to_tensor_reads_an_object_array_of_numbers_and_booleans_as_floats():
    # np.array(dataframe) after pd.get_dummies: int, float and bool columns in one object array.
    rows = np.array([[4, 97.5, True, False], [8, 302.0, False, True]], dtype=object)
    tensor = backend.to_tensor(rows, device="cpu")
    assert tensor.dtype == torch.float32
    np.testing.assert_array_equal(tensor.numpy(), [[4, 97.5, 1, 0], [8, 302, 0, 1]])


def test_to_tensor_still_rejects_ragged_object_arrays():
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 2], [3]
    with pytest.raises(ValueError, match="Invalid dtype: object.*ragged lists cannot be stacked"):
        backend.to_tensor(ragged, device="cpu")


def test_text_in_an_object_array_gets_the_encoding_fix():
    mixed = np.array([[1.0, "a"], [2.0, "b"]], dtype=object)
    with pytest.raises(ValueError, match="holding text such as 'a': encode it as numbers first"):
        backend.to_tensor(mixed, device="cpu")


def test_arrays_with_negative_strides_convert_as_keras_takes_them():
    images = np.arange(24, dtype="float32").reshape(2, 2, 2, 3)
    bgr = images[..., ::-1]  # caffe-style preprocess_input flips the channels this way
    np.testing.assert_array_equal(backend.to_tensor(bgr, device="cpu").numpy(), bgr)


def test_keras_backend_standardize_dtype_gives_keras_names_as_in_keras():
    # Keras 3.15: keras.backend.standardize_dtype(np.float32) == 'float32'; custom layers
    # compare it with strings (`if standardize_dtype(x.dtype) != "int32": ...`).
    import lamina

    assert lamina.backend.standardize_dtype(np.float32) == "float32"
    assert lamina.backend.standardize_dtype(torch.int64) == "int64"
    assert lamina.backend.standardize_dtype(None) == "float32"
    assert lamina.backend.standardize_dtype is lamina.utils.standardize_dtype


def test_keras_device_names_are_accepted_case_insensitively():
    with lamina.device("CPU:0"):
        assert lamina.backend.get_device() == torch.device("cpu", 0)
        assert lamina.Variable([1.0]).device.type == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without a GPU")
def test_asking_for_a_gpu_without_one_says_so():
    with pytest.raises(ValueError, match=r"keras.device\('GPU:0'\)` asks for a GPU"):
        with lamina.device("GPU:0"):
            pass


def test_an_unknown_device_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="Expected a device such as 'cpu', 'gpu:0'"):
        with lamina.device("tpu"):
            pass
    with pytest.raises(TypeError, match="Expected a string like 'gpu:0' or 'cpu'"):
        with lamina.device(3):
            pass


_READ_ONLY_PROGRAM = """
import warnings
import numpy as np
import lamina as keras
from lamina import backend, layers

def frozen(values, dtype="float32"):
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)  # pandas' df.values, np.broadcast_to, a memory-mapped file
    return array

warnings.simplefilter("error")  # torch warns about non-writable arrays once per process
backend.from_numpy(frozen([[1.0, 2.0]]))
dense = layers.Dense(2)
dense.build((None, 3))
dense.set_weights([frozen(np.ones((3, 2))), frozen(np.zeros(2))])
dense.kernel.assign(frozen(np.full((3, 2), 2.0)))
layers.Dense(2, kernel_initializer=keras.initializers.Constant(frozen(np.ones((3, 2)))))(
    np.ones((1, 3), "float32"))
layers.Normalization(mean=frozen([1.0, 2.0]), variance=frozen([1.0, 1.0]))(np.ones((1, 2)))
layers.Normalization().adapt(frozen(np.ones((4, 2))))
layers.IntegerLookup().adapt(frozen([1, 2, 3, 2], "int64"))
layers.Embedding(3, 2, weights=[frozen(np.ones((3, 2)))])(np.array([[1]]))
print(float(dense.kernel.detach().sum()))
"""


def test_read_only_arrays_convert_without_torch_warning():
    # In a fresh process: torch warns once, so an earlier test could hide the warning here.
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _READ_ONLY_PROGRAM], capture_output=True,
                         text=True, timeout=120)
    assert (run.returncode, run.stdout.strip()) == (0, "12.0"), run.stderr[-2000:]


def test_an_intermediate_output_stays_in_the_graph_of_the_later_ones():
    # keras.io's Grad-CAM, torch style: gradients of the prediction w.r.t. a conv layer's output.
    inputs = lamina.Input((4,))
    hidden = lamina.layers.Dense(3, name="hidden")(inputs)
    model = lamina.Model(inputs, lamina.layers.Dense(1)(hidden))
    grad_model = lamina.Model(model.inputs, [model.get_layer("hidden").output, model.output])
    features, predictions = grad_model(torch.ones(2, 4))
    (gradient,) = torch.autograd.grad(predictions.sum(), features)
    kernel = model.layers[-1].kernel.detach()
    assert torch.allclose(gradient, kernel.T.expand(2, 3))
    assert features.numpy().shape == (2, 3)  # still converts with grad, as Keras' tensors do
