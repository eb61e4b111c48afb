"""model.export's formats, input signatures and the errors of learner slips (no ONNX needed)."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.export import export_utils
from lamina.layers.input_spec import InputSpec


def dense_model():
    return lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])


def test_unknown_format_lists_the_formats(tmp_path):
    with pytest.raises(ValueError, match=r"Unknown export format: 'keras'\. lamina exports to "
                                         r"'onnx' .* and 'torch'"):
        dense_model().export(str(tmp_path / "model"), format="keras")


@pytest.mark.parametrize("format, product", [("tf_saved_model", "TensorFlow's SavedModel"),
                                             ("litert", "LiteRT"), ("openvino", "OpenVINO")])
def test_tensorflow_formats_say_they_are_not_available_and_name_the_others(tmp_path, format,
                                                                          product):
    with pytest.raises(ValueError) as info:
        dense_model().export(str(tmp_path / "model"), format=format)
    message = str(info.value)
    assert f"format={format!r}: {product}" in message and "not available in lamina" in message
    assert "format='onnx'" in message and "format='torch'" in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("format, name", [("onnx", "model.onnx"), ("torch", "model.pt2")])
def test_an_unbuilt_model_says_to_call_it_on_data_or_build_it(tmp_path, format, name):
    model = lamina.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match=r"Model '.*' cannot be exported before it is built.*"
                                         r"Call it on data first.*model\.build\(\(None, features"):
        model.export(str(tmp_path / name), format=format)


def test_signature_from_input_shapes_keeps_names_dtypes_and_a_free_batch_axis():
    tokens = lamina.Input((9,), dtype="int32", name="tokens")
    image = lamina.Input((8, 8, 1), name="image")
    model = lamina.Model([tokens, image], layers.Concatenate()(
        [layers.Flatten()(layers.Embedding(10, 2)(tokens)), layers.Flatten()(image)]))
    specs = export_utils.get_input_signature(model)
    assert [(s.name, s.shape, s.dtype) for s in specs] == [
        ("tokens", (None, 9), "int32"), ("image", (None, 8, 8, 1), "float32")]
    assert [tuple(t.shape) for t in export_utils.sample_inputs(specs)] == [(2, 9), (2, 8, 8, 1)]
    assert [t.dtype for t in export_utils.sample_inputs(specs)] == [torch.int32, torch.float32]
    first, second = export_utils.dynamic_shapes(specs)
    assert list(first) == [0] and list(second) == [0] and first[0] is second[0]


def test_signature_of_a_model_built_on_data_frees_the_batch_axis():
    model = lamina.Sequential([layers.Dense(2)])
    model.predict(np.ones((5, 3), "float32"), verbose=0)
    assert [s.shape for s in export_utils.get_input_signature(model)] == [(None, 3)]


def test_other_none_axes_get_their_own_dimension():
    specs = export_utils.standardize_input_signature(
        None, [InputSpec(shape=(None, None, 4), name="steps")])
    (shape,) = export_utils.dynamic_shapes(specs)
    assert sorted(shape) == [0, 1] and shape[0].__name__ == "batch"
    assert shape[1].__name__ == "steps_1"


def test_input_signature_accepts_specs_inputs_and_arrays():
    specs = export_utils.standardize_input_signature(None, [
        InputSpec(shape=(None, 3)), lamina.Input((2,), name="extra"),
        np.zeros((4, 5), "int64"), torch.zeros(1, 6)])
    assert [(s.name, s.shape, s.dtype) for s in specs] == [
        ("input_0", (None, 3), "float32"), ("extra", (None, 2), "float32"),
        ("input_2", (None, 5), "int64"), ("input_3", (None, 6), "float32")]


def test_a_shape_as_input_signature_says_to_use_an_input_spec():
    with pytest.raises(TypeError, match=r"`input_signature` expects an InputSpec.*received "
                                        r"\(None, 3\).*InputSpec\(shape=\(None, 784\)\)"):
        export_utils.standardize_input_signature(None, (None, 3))


def test_string_inputs_cannot_be_exported():
    with pytest.raises(ValueError, match="Input 'text' takes strings.*TextVectorization"):
        export_utils.standardize_input_signature(None, [InputSpec(shape=(None, 1),
                                                                  dtype="string", name="text")])
