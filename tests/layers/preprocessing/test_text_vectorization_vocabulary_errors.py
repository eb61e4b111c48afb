"""TextVectorization without a vocabulary refuses to run, and number inputs are named as given.

Before, 'int' mode silently returned the OOV index for every token (`tensor([[1, 1]])`) and an
int64 array was reported as float32 (the tensor lamina had made of it).
"""
import json

import numpy as np
import pytest

from lamina import layers

NO_VOCABULARY = r"has no vocabulary.*must set the layer's vocabulary.*`adapt`"


@pytest.mark.parametrize("kwargs", [
    {},
    {"output_sequence_length": 4},
    {"split": None},
    {"output_mode": "multi_hot", "max_tokens": 6, "pad_to_max_tokens": True},
], ids=["int", "int-padded", "int-unsplit", "multi_hot-max_tokens"])
def test_call_before_adapt_raises(kwargs):
    layer = layers.TextVectorization(**kwargs)
    with pytest.raises(RuntimeError, match=NO_VOCABULARY):
        layer(np.array(["a b"]))


def test_the_multi_hot_error_without_a_known_width_is_kept():
    with pytest.raises(RuntimeError, match="`output_mode=multi_hot` and `pad_to_max_tokens=False`"):
        layers.TextVectorization(output_mode="multi_hot")(np.array(["a b"]))


def test_from_config_of_an_adapted_layer_needs_its_vocabulary():
    adapted = layers.TextVectorization()
    adapted.adapt(["the cat sat"])
    clone = layers.TextVectorization.from_config(json.loads(json.dumps(adapted.get_config())))
    with pytest.raises(RuntimeError, match=NO_VOCABULARY):
        clone(np.array(["the cat"]))
    clone.set_vocabulary(adapted.get_vocabulary())
    assert clone(np.array(["the cat"])).tolist() == adapted(np.array(["the cat"])).tolist()


def test_a_vocabulary_given_or_adapted_runs():
    assert layers.TextVectorization(vocabulary=["a"])(np.array(["a b"])).tolist() == [[2, 1]]
    layer = layers.TextVectorization()
    layer.adapt(["b a b"])
    assert layer(np.array(["a b c"])).tolist() == [[3, 2, 1]]


@pytest.mark.parametrize("inputs, dtype", [
    (np.array([1, 2]), "int64"),
    (np.array([1, 2], dtype=np.int32), "int32"),
    (np.array([[1.5]]), "float64"),
])
def test_number_arrays_are_reported_with_their_own_dtype(inputs, dtype):
    layer = layers.TextVectorization(vocabulary=["a"])
    with pytest.raises(TypeError, match=rf"takes strings.*dtype {dtype}\b.*astype\(str\)"):
        layer(inputs)


def test_a_list_of_numbers_names_the_number():
    with pytest.raises(TypeError, match="holds 1 of type int"):
        layers.TextVectorization(vocabulary=["a"])([1, 2])
