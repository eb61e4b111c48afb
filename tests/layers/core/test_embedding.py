"""Embedding: Keras' numbers and mask, parameter count, TF-2 arguments and the learner's slips."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving.serialization_lib import deserialize_keras_object
from lamina.testing import run_layer_test

REFERENCE = np.load(Path(__file__).parents[2] / "fixtures" / "layers" / "rnn_reference.npz")
KERAS_CASE = json.loads(str(REFERENCE["cases"]))["cases"]["embedding"]


def test_output_mask_and_config_match_keras():
    layer = deserialize_keras_object(KERAS_CASE["layer"])
    layer.build()
    layer.set_weights([REFERENCE["embedding__w0"]])
    ids = torch.as_tensor(REFERENCE["embedding__x"])
    outputs = layer(ids)
    np.testing.assert_allclose(outputs.detach().numpy(), REFERENCE["embedding__out0"], rtol=1e-6)
    np.testing.assert_array_equal(outputs._keras_mask.numpy(), REFERENCE["embedding__mask_out"])
    config = {k: v for k, v in layer.get_config().items() if k != "name"}
    assert config == {k: v for k, v in KERAS_CASE["layer"]["config"].items() if k != "name"}


@pytest.mark.parametrize("mask_zero", [False, True])
def test_layer_harness(mask_zero):
    run_layer_test(layers.Embedding, {"input_dim": 10, "output_dim": 3, "mask_zero": mask_zero},
                   input_shape=(2, 5), input_dtype="int64", expected_output_shape=(2, 5, 3),
                   expected_num_trainable_weights=1, supports_masking=mask_zero)


def test_param_count_and_default_initializer():
    with pytest.warns(UserWarning, match="Argument `input_length` is deprecated"):
        layer = layers.Embedding(10000, 16, input_length=200)
    assert not layer.built  # as Keras 3; a Sequential still reads the length
    assert lamina.Sequential([layer]).output_shape == (None, 200, 16)
    assert layer.count_params() == 160000
    values = layer.embeddings.detach().numpy()
    assert values.min() >= -0.05 and values.max() <= 0.05 and values.std() > 0.02


def test_input_length_builds_for_the_sequence_length_as_in_tf2():
    model = lamina.Sequential([layers.Embedding(100, 8, input_length=20), layers.Flatten(),
                               layers.Dense(1)])
    assert model.count_params() == 100 * 8 + 20 * 8 + 1
    assert "input_length" not in layers.Embedding(5, 2, input_length=3).get_config()


def test_pretrained_weights_argument():
    matrix = np.arange(12, dtype="float32").reshape(4, 3)
    layer = layers.Embedding(4, 3, weights=[matrix], trainable=False)
    np.testing.assert_array_equal(layer(np.array([[3, 0]])).detach().numpy(), matrix[[[3, 0]]])
    assert layer.trainable_weights == []


def test_whole_number_floats_are_ids_as_in_keras():
    layer = layers.Embedding(5, 2)
    np.testing.assert_array_equal(layer(np.array([[1.0, 4.0]], "float32")).detach().numpy(),
                                  layer(np.array([[1, 4]])).detach().numpy())


def test_fractional_floats_are_refused_with_the_fix():
    expected = ("Layer 'embedding' (Embedding) expects integer token indices in [0, 9], but "
                "received float32 inputs with non-integer values (e.g. 0.25). An Embedding looks "
                "rows up by index: feed token ids (integers from TextVectorization, a Tokenizer or "
                "pad_sequences); for real-valued features use Dense instead.")
    with pytest.raises(TypeError) as error:
        layers.Embedding(10, 2)(np.array([[1.0, 0.25, 3.0]], "float32"))
    assert str(error.value) == expected


def test_index_past_the_vocabulary_names_input_dim():
    expected = ("Layer 'embedding' (Embedding with input_dim=10) received token index 12, but "
                "indices must be in [0, 9]: set `input_dim` to the vocabulary size, the largest "
                "index + 1 (at least 13 for these inputs).")
    with pytest.raises(IndexError) as error:
        layers.Embedding(10, 2)(np.array([[1, 12, 10]]))
    assert str(error.value) == expected
    with pytest.raises(IndexError, match=r"received token index -1, .*negative values are not "
                                         r"token ids \(padding uses index 0\)"):
        layers.Embedding(10, 2)(np.array([[-1, 3]]))


def test_symbolic_inputs_of_any_numeric_dtype_give_float_outputs():
    for dtype in ("int32", "float32"):
        outputs = layers.Embedding(10, 4)(lamina.Input((None,), dtype=dtype))
        assert outputs.shape == (None, None, 4) and outputs.dtype == "float32"


def test_argument_errors():
    with pytest.raises(ValueError, match=r"`input_dim` must be a positive integer\. Received: "
                                         r"input_dim=0 \(of type int\)\."):
        layers.Embedding(0, 4)
    with pytest.raises(ValueError, match=r"`output_dim` must be a positive integer\. Received: "
                                         r"output_dim=2.5 \(of type float\)\."):
        layers.Embedding(3, 2.5)
