"""StringLookup: vocabularies, OOV buckets, invert, files and assets, learner slips.

Keras parity of vocabularies, hashed OOV buckets and every output mode is in
test_text_preprocessing_reference.py.
"""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers


def test_vocabulary_order_is_frequency_then_larger_token_first():
    layer = layers.StringLookup()
    layer.adapt(np.array([["pear", "fig"], ["fig", "apple"], ["kiwi", "pear"]]))
    assert layer.get_vocabulary() == ["[UNK]", "pear", "fig", "kiwi", "apple"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["pear", "fig", "kiwi", "apple"]
    assert layer.vocabulary_size() == 5


def test_max_tokens_counts_the_special_tokens():
    layer = layers.StringLookup(max_tokens=3, mask_token="")
    layer.adapt(["a", "a", "b", "c"])
    assert layer.get_vocabulary() == ["", "[UNK]", "a"]


def test_mask_is_zero_in_int_mode_and_dropped_in_multi_hot():
    int_layer = layers.StringLookup(vocabulary=["a", "b"], mask_token="")
    assert int_layer(np.array([["a", ""], ["", "q"]])).tolist() == [[2, 0], [0, 1]]
    hot = layers.StringLookup(vocabulary=["a", "b"], mask_token="", output_mode="multi_hot")
    assert hot.get_vocabulary() == ["[UNK]", "a", "b"]
    assert hot(np.array([["a", ""], ["", ""]])).tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]


def test_invert_returns_strings_and_round_trips():
    forward = layers.StringLookup(vocabulary=["a", "b", "c"])
    backward = layers.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    words = np.array([["c", "a"], ["zz", "b"]])
    restored = backward(forward(words))
    assert isinstance(restored, np.ndarray) and restored.dtype == object
    assert restored.tolist() == [["c", "a"], ["[UNK]", "b"]]
    masked = layers.StringLookup(vocabulary=["a"], mask_token="", invert=True)
    assert masked(torch.tensor([0, 1, 2, 9])).tolist() == ["", "[UNK]", "a", "[UNK]"]


def test_bytes_lists_and_scalars_are_accepted():
    layer = layers.StringLookup(vocabulary=["café", "tea"])
    assert layer([b"caf\xc3\xa9", "tea", "milk"]).tolist() == [1, 2, 0]
    assert layer("tea").tolist() == 2
    assert layer(np.array([b"tea"], dtype="S")).tolist() == [2]


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("red\ngreen\nblue\n", encoding="utf-8")
    layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "red", "green", "blue"]
    assert layer.get_config()["vocabulary"] is None  # a file travels as an asset, as in Keras
    with pytest.raises(ValueError, match="does not exist"):
        layers.StringLookup(vocabulary=str(tmp_path / "missing.txt"))


def test_assets_round_trip_an_adapted_vocabulary(tmp_path):
    layer = layers.StringLookup(output_mode="count")
    layer.adapt(["x", "y", "y", "z"])
    layer.save_assets(tmp_path)
    clone = layers.StringLookup.from_config(layer.get_config())
    assert clone.compute_output_shape((None, 3)) == (None, 4)
    clone.load_assets(tmp_path)
    inputs = np.array([["y", "y", "q"]])
    assert clone.get_vocabulary() == ["[UNK]", "y", "z", "x"]
    assert clone(inputs).tolist() == layer(inputs).tolist() == [[1.0, 2.0, 0.0, 0.0]]


def test_one_hot_output_shapes():
    layer = layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    assert layer(np.array(["a", "z", "b"])).shape == (3, 3)
    assert layer(np.array([["a"], ["b"]])).shape == (2, 3)
    assert layer(np.array([["a", "b"]])).shape == (1, 2, 3)
    assert layer.compute_output_shape((None, 1)) == (None, 3)


def test_works_inside_a_functional_model():
    inputs = lamina.Input(shape=(2,), dtype="string")
    lookup = layers.StringLookup(vocabulary=["red", "green", "blue"], output_mode="multi_hot")
    outputs = layers.Dense(1, kernel_initializer="ones")(lookup(inputs))
    model = lamina.Model(inputs, outputs)
    assert model.output_shape == (None, 1)
    prediction = model.predict(np.array([["red", "blue"], ["pink", "pink"]]), verbose=0)
    np.testing.assert_allclose(prediction, [[2.0], [1.0]])


@pytest.mark.parametrize("kwargs, message", [
    ({"max_tokens": 1}, "`max_tokens` must be greater than 1"),
    ({"num_oov_indices": -1}, "`num_oov_indices` must be greater than or equal to 0"),
    ({"output_mode": "onehot"}, r"Unknown value for `output_mode`.*Did you mean 'one_hot'"),
    ({"invert": True, "output_mode": "count"}, "`output_mode` must be `'int'` when `invert`"),
    ({"idf_weights": [1.0]}, "`idf_weights` should only be set if `output_mode` is `'tf_idf'`"),
    ({"pad_to_max_tokens": True}, "must set `max_tokens`"),
    ({"sparse": True}, "does not support `sparse=True`"),
    ({"salt": "pepper", "num_oov_indices": 2}, "can only be a tuple of 2 integers"),
    ({"output_mode": "tf_idf", "vocabulary": ["a"]}, "`idf_weights` argument must also be provided"),
    ({"vocabulary": ["a", "a"]}, "repeated term"),
    ({"vocabulary": ["a", "b"], "max_tokens": 2}, "larger than the maximum vocab size"),
    ({"vocabulary": ["a", ""], "mask_token": ""}, "reserved mask token"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.StringLookup(**kwargs)


def test_call_errors():
    strict = layers.StringLookup(vocabulary=["a"], num_oov_indices=0)
    assert strict(["a"]).tolist() == [0]
    with pytest.raises(ValueError, match=r"found OOV values \['b'\], consider setting `num_oov_indices=1`"):
        strict(["a", "b"])
    with pytest.raises(TypeError, match="torch has no string tensors"):
        layers.StringLookup(vocabulary=["a"])(torch.tensor([1]))
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
        layers.StringLookup(output_mode="multi_hot")(["a"])
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        layers.StringLookup(vocabulary=["a"]).adapt(["b"])


@pytest.mark.parametrize("kind", ["TextVectorization", "StringLookup"])
def test_an_adapted_tf_idf_layer_saves_and_loads(kind, tmp_path):
    if kind == "TextVectorization":
        layer = layers.TextVectorization(output_mode="tf_idf")
        layer.adapt(["a b", "b c", "b"])
        inputs, data = lamina.Input((), dtype="string"), np.array(["a b", "c"])
    else:
        layer = layers.StringLookup(output_mode="tf_idf")
        layer.adapt([["a", "b"], ["b", "c"]])
        inputs, data = lamina.Input((2,), dtype="string"), np.array([["a", "b"], ["c", "c"]])
    model = lamina.Model(inputs, layer(inputs))
    model.save(tmp_path / "tf_idf.keras")
    loaded = lamina.models.load_model(tmp_path / "tf_idf.keras")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0))


def test_without_a_vocabulary_every_token_is_out_of_vocabulary_in_int_mode():
    # Keras' index_lookup lets int mode run before adapt: each token maps to the OOV index.
    np.testing.assert_array_equal(layers.StringLookup()(np.array(["a", "b"])), [0, 0])
    np.testing.assert_array_equal(layers.StringLookup(mask_token="")(np.array(["a", ""])), [1, 0])
