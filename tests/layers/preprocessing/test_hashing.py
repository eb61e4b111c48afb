"""Hashing: Keras' bins (FarmHash64 / SipHash-2-4 of the value's string), masks, modes, slips.

Bin-for-bin parity with Keras on strings, integers and floats is in
test_text_preprocessing_reference.py; here the hash itself is pinned to TensorFlow's published
values and the layer's own rules are checked.
"""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.layers.preprocessing.string_hash import hash_buckets
from lamina.testing import run_layer_test

# TensorFlow 2.21's tf.strings.to_hash_bucket_fast(s, 2**63 - 1) and
# to_hash_bucket_strong(s, 2**63 - 1, key=[12345, 67890]): nearly the raw 64-bit hashes.
FAST = {"": 1936946117179621456, "a": 3694432073954588132, "hello world": 6381520714923946011}
STRONG = {"": 3320497352430948231, "a": 3800837644910221272, "hello world": 7650292761513189474}


def test_hashes_equal_tensorflow():
    assert hash_buckets(list(FAST), 2**63 - 1).tolist() == list(FAST.values())
    assert hash_buckets(list(STRONG), 2**63 - 1, salt=[12345, 67890]).tolist() == list(STRONG.values())


def test_mask_value_takes_bin_zero_and_the_rest_share_num_bins_minus_one():
    layer = layers.Hashing(num_bins=4, mask_value="")
    values = np.array(["", "a", "b", "c", ""])
    expected = [0] + (hash_buckets(["a", "b", "c"], 3) + 1).tolist() + [0]
    assert layer(values).tolist() == expected
    numbers = layers.Hashing(num_bins=4, mask_value=0)(torch.tensor([0, 5]))
    assert numbers.tolist() == [0, int(hash_buckets(["5"], 3)[0]) + 1]


def test_integers_hash_as_their_decimal_strings():
    layer = layers.Hashing(num_bins=97)
    assert layer(np.array([12, -3])).tolist() == layer(np.array(["12", "-3"])).tolist()
    assert layer(np.array([12.9, -3.5])).tolist() == layer(np.array([12, -3])).tolist()


def test_salt_changes_the_bins_and_an_int_salt_is_two_equal_keys():
    words = [f"w{i}" for i in range(50)]
    plain = layers.Hashing(num_bins=10)(words).tolist()
    assert layers.Hashing(num_bins=10, salt=7)(words).tolist() == \
        layers.Hashing(num_bins=10, salt=(7, 7))(words).tolist() != plain


def test_output_modes_and_dtypes():
    words = np.array([["a", "b"], ["c", "a"]])
    bins = layers.Hashing(num_bins=5)(words)
    assert bins.dtype == torch.int64
    counts = layers.Hashing(num_bins=5, output_mode="count")(words)
    assert counts.dtype == torch.float32 and counts.shape == (2, 5)
    np.testing.assert_array_equal(counts.sum(1).numpy(), [2, 2])
    assert layers.Hashing(num_bins=5, output_mode="one_hot")(np.array([["a"], ["b"]])).shape == (2, 5)
    assert layers.Hashing(num_bins=5, dtype="int32")(words).dtype == torch.int32


def test_inside_a_model_after_a_string_input():
    inputs = lamina.Input(shape=(1,), dtype="string")
    hashed = layers.Hashing(num_bins=8, output_mode="one_hot")(inputs)
    model = lamina.Model(inputs, layers.Dense(2)(hashed))
    assert model.predict(np.array([["x"], ["y"], ["z"]]), verbose=0).shape == (3, 2)


def test_layer_harness_on_integer_features():
    run_layer_test(layers.Hashing, {"num_bins": 6, "output_mode": "multi_hot"},
                   input_data=np.arange(12).reshape(4, 3), expected_output_shape=(4, 6))


@pytest.mark.parametrize("kwargs, message", [
    ({"num_bins": 0}, "cannot be `None` or non-positive"),
    ({"num_bins": 3, "dtype": "float32"}, "should be an integer type"),
    ({"num_bins": 3, "output_mode": "tf_idf"}, "Invalid value for argument `output_mode`"),
    ({"num_bins": 3, "salt": "x"}, "can only be a tuple of size 2"),
    ({"num_bins": 3, "output_mode": "count", "sparse": True}, "does not support `sparse=True`"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Hashing(**kwargs)
