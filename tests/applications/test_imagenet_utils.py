"""preprocess_input's three modes give Keras' numbers (tests/fixtures/applications/
predictions.npz); decode_predictions gives Keras' format, from a small fake class index."""
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina.applications import imagenet_utils

FIXTURES = Path(__file__).parents[1] / "fixtures" / "applications"
FAKE_INDEX = {str(i): [f"n{i:08d}", f"thing_{i}"] for i in range(1000)}


@pytest.fixture(scope="module")
def reference():
    with np.load(FIXTURES / "predictions.npz") as arrays:
        return {key: value for key, value in arrays.items() if key.startswith("preprocess/")}


def layouts(pixels):
    return {"channels_last": pixels, "channels_first": pixels.transpose(0, 3, 1, 2)}


@pytest.mark.parametrize("mode", ["caffe", "torch", "tf"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank", ["4d", "3d"])
def test_numpy_input_matches_keras(reference, mode, data_format, rank):
    batch = layouts(reference["preprocess/pixels"])[data_format]
    value = batch if rank == "4d" else batch[0]
    expected = reference[f"preprocess/{mode}/{data_format}/{rank}"]
    result = imagenet_utils.preprocess_input(value.copy(), data_format=data_format, mode=mode)
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("mode", ["caffe", "torch", "tf"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_tensor_input_matches_keras_and_leaves_the_input_alone(reference, mode, data_format):
    pixels = layouts(reference["preprocess/pixels"])[data_format]
    tensor = torch.from_numpy(pixels.copy())
    result = imagenet_utils.preprocess_input(tensor, data_format=data_format, mode=mode)
    assert isinstance(result, torch.Tensor) and result.dtype == torch.float32
    np.testing.assert_allclose(result.numpy(), reference[f"preprocess/{mode}/{data_format}/4d"],
                               rtol=1e-6, atol=1e-5)
    np.testing.assert_array_equal(tensor.numpy(), pixels)


def test_model_modules_use_their_modes(reference):
    pixels = reference["preprocess/pixels"]
    apps = lamina.applications
    for module in (apps.vgg16, apps.vgg19, apps.resnet, apps.resnet50):
        np.testing.assert_allclose(module.preprocess_input(torch.from_numpy(pixels)).numpy(),
                                   reference["preprocess/caffe/tensor"], rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(apps.mobilenet_v2.preprocess_input(pixels.copy()),
                               reference["preprocess/tf/channels_last/4d"], rtol=1e-6)
    # Integer images become float32 first, as in Keras.
    np.testing.assert_allclose(apps.resnet50.preprocess_input(pixels.astype("uint8")),
                               reference["preprocess/caffe/uint8"], rtol=1e-6, atol=1e-5)


def test_a_float_array_is_written_over_as_in_keras():
    pixels = np.full((1, 2, 2, 3), 255.0, "float32")
    result = imagenet_utils.preprocess_input(pixels, mode="tf")
    assert result is pixels and float(pixels.max()) == 1.0


def test_symbolic_input_inside_a_model_matches_numpy(reference):
    pixels = reference["preprocess/pixels"]
    inputs = lamina.Input((5, 4, 3), dtype="uint8")
    model = lamina.Model(inputs, lamina.applications.resnet50.preprocess_input(inputs))
    np.testing.assert_allclose(model.predict(pixels.astype("uint8"), verbose=0),
                               reference["preprocess/caffe/uint8"], rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("arguments, message", [
    ({"mode": "keras"}, "Expected mode to be one of"),
    ({"data_format": "NHWC"}, "Expected data_format to be one of"),
])
def test_unknown_mode_or_data_format_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), **arguments)


def test_decode_predictions_format(monkeypatch):
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", FAKE_INDEX)
    preds = np.zeros((2, 1000), "float32")
    preds[0, [3, 999, 10]] = [0.2, 0.5, 0.3]
    preds[1, 42] = 1.0
    decoded = lamina.applications.vgg16.decode_predictions(torch.from_numpy(preds), top=3)
    assert [[entry[:2] for entry in row] for row in decoded[:1]] == [
        [("n00000999", "thing_999"), ("n00000010", "thing_10"), ("n00000003", "thing_3")]]
    assert [entry[2] for entry in decoded[0]] == pytest.approx([0.5, 0.3, 0.2])
    assert isinstance(decoded[0][0][2], np.float32)
    assert decoded[1][0] == ("n00000042", "thing_42", np.float32(1.0))
    assert len(lamina.applications.mobilenet_v2.decode_predictions(preds)[1]) == 5


def test_decode_predictions_reads_a_cached_index_without_downloading(monkeypatch, tmp_path):
    text = json.dumps(FAKE_INDEX)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "imagenet_class_index.json").write_text(text)
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    # The cached copy is verified against the hash: here the fake file's own.
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(text.encode()).hexdigest())
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", (tmp_path / "offline.json").as_uri())
    preds = np.eye(1000, dtype="float32")[[7]]
    assert imagenet_utils.decode_predictions(preds, top=1) == [[("n00000007", "thing_7", 1.0)]]


def test_decode_predictions_offline_error_says_where_to_put_the_index(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", (tmp_path / "offline.json").as_uri())
    with pytest.raises(OSError) as caught:
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))
    message = str(caught.value)
    assert "Could not download the ImageNet class index: URL fetch failure on file:" in message
    assert str(tmp_path / "models" / "imagenet_class_index.json") in message
    assert "imagenet_utils.CLASS_INDEX" in message


def test_decode_predictions_refuses_other_shapes():
    with pytest.raises(ValueError, match=r"\(samples, 1000\).*\(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_correct_pad_matches_tensorflow_same_padding():
    assert imagenet_utils.correct_pad(lamina.Input((97, 128, 3)), 3) == ((1, 1), (0, 1))
    assert imagenet_utils.correct_pad(lamina.Input((None, None, 3)), (3, 5)) == ((0, 1), (1, 2))
