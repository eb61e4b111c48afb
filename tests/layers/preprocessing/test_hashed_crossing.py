"""HashedCrossing: the bins of real Keras (tf.sparse.cross_hashed) for ints and strings, shapes,
modes, symbolic use, saving and slips.

The reference is tests/fixtures/utils/feature_space_reference.json ("hashed_crossing"),
written by make_feature_space_reference.py with Keras 3.15 on TensorFlow.
"""
import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.layers.preprocessing.hashed_crossing import cross_hash

REFERENCE = json.loads((Path(__file__).parents[2] / "fixtures" / "utils"
                        / "feature_space_reference.json").read_text())["hashed_crossing"]
CASES = sorted(name for name in REFERENCE if name != "config")


@pytest.mark.parametrize("name", CASES)
def test_bins_equal_keras(name):
    case = REFERENCE[name]
    columns = [np.array(c) for c in case["columns"]]
    bins = layers.HashedCrossing(num_bins=case["num_bins"])(columns)
    assert bins.dtype == torch.int64
    assert bins.tolist() == case["bins"]
    column = layers.HashedCrossing(num_bins=case["num_bins"])([c[:, None] for c in columns])
    assert column.shape == (len(case["bins"]), 1) and column[:, 0].tolist() == case["bins"]


@pytest.mark.parametrize("name", CASES)
def test_one_hot_equals_keras(name):
    case = REFERENCE[name]
    one_hot = layers.HashedCrossing(num_bins=case["num_bins"], output_mode="one_hot")(
        [np.array(c) for c in case["columns"]])
    assert one_hot.dtype == torch.float32 and list(one_hot.shape) == case["one_hot_shape"]
    assert one_hot.argmax(-1).tolist() == case["one_hot_argmax"]
    np.testing.assert_array_equal(one_hot.sum(-1).numpy(), 1.0)


def test_keras_docstring_example_and_scalars():
    layer = layers.HashedCrossing(num_bins=5)
    assert layer((np.array(["A", "B", "A", "B", "A"]),
                  np.array([101, 101, 101, 102, 102]))).tolist() == [1, 4, 1, 1, 3]
    assert layer((["A", "B"], [101, 102])).tolist() == [1, 1]
    scalar = layer((np.array("A"), np.array(101)))
    assert scalar.shape == () and scalar.item() == 1
    assert layers.HashedCrossing(num_bins=5, output_mode="one_hot")(
        (np.array("A"), np.array(101))).shape == (1, 5)


def test_integer_tensors_of_any_width_cross_alike():
    wide = layers.HashedCrossing(num_bins=97)((torch.tensor([3, -4]), torch.tensor([7, 8])))
    narrow = layers.HashedCrossing(num_bins=97)((torch.tensor([3, -4], dtype=torch.int32),
                                                 np.array([7, 8], dtype="int16")))
    assert wide.tolist() == narrow.tolist()
    # Crossing is ordered: swapping the features changes the bins.
    assert cross_hash([np.array([3], "uint64"), np.array([7], "uint64")], 2**31).tolist() != \
        cross_hash([np.array([7], "uint64"), np.array([3], "uint64")], 2**31).tolist()


def test_config_is_keras_and_round_trips():
    layer = layers.HashedCrossing(num_bins=3, name="hc")
    assert layer.get_config() == REFERENCE["config"]
    rebuilt = layers.HashedCrossing.from_config(layer.get_config())
    assert rebuilt.get_config() == layer.get_config()
    one_hot = layers.HashedCrossing(num_bins=3, output_mode="one_hot")
    assert one_hot.get_config()["dtype"] == "float32"


def test_symbolic_shapes_and_dtypes_in_a_model(tmp_path):
    words = lamina.Input(shape=(1,), dtype="string", name="w")
    ids = lamina.Input(shape=(1,), dtype="int64", name="i")
    bins = layers.HashedCrossing(num_bins=4)([words, ids])
    one_hot = layers.HashedCrossing(num_bins=4, output_mode="one_hot")([words, ids])
    assert (bins.shape, bins.dtype) == ((None, 1), "int64")
    assert (one_hot.shape, one_hot.dtype) == ((None, 4), "float32")
    model = lamina.Model({"w": words, "i": ids}, one_hot)
    data = {"w": np.array([["A"], ["B"]]), "i": np.array([[101], [101]])}
    eager = layers.HashedCrossing(num_bins=4)([data["w"], data["i"]])
    np.testing.assert_array_equal(model.predict(data, verbose=0).argmax(-1), eager[:, 0].numpy())
    path = os.path.join(tmp_path, "crossing.keras")
    model.save(path)
    loaded = lamina.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(data, verbose=0), model.predict(data, verbose=0))


@pytest.mark.parametrize("inputs, message", [
    (np.array([1, 2]), "should be called on a list or tuple of inputs"),
    ([np.array([1, 2])], "at least two inputs"),
    ([np.array([[1, 2]]), np.array([[3, 4]])], "should have shape `\\(\\)`, `\\(batch_size\\)`"),
    ([np.array([1, 2]), np.array([1, 2, 3])], "should have equal shape"),
    ([np.array([1.5, 2.5]), np.array([1, 2])], "integer or string dtype"),
])
def test_bad_inputs_raise_keras_errors(inputs, message):
    with pytest.raises(ValueError, match=message):
        layers.HashedCrossing(num_bins=3)(inputs)


def test_bad_arguments_name_them():
    with pytest.raises(ValueError, match="`output_mode` argument of HashedCrossing"):
        layers.HashedCrossing(num_bins=3, output_mode="multi_hot")
    with pytest.raises(ValueError, match="sparse=True"):
        layers.HashedCrossing(num_bins=3, output_mode="one_hot", sparse=True)
