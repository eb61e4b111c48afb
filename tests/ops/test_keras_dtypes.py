"""Result dtypes and defaults Keras 3.15 gives (checked against Keras-jax when written):
`full` is floatx, a bool tensor with a Python int is int32, `append` promotes, index ops
are int32, histogram counts float32, layer_normalization's epsilon is 1e-7, and clip takes a
tensor bound beside a number."""
import numpy as np
import pytest
import torch

from lamina import ops


def test_full_without_a_dtype_is_floatx_whatever_it_is_filled_with():
    assert [ops.full((2,), value).dtype for value in (7, True, 7.5)] == [torch.float32] * 3
    assert ops.full((2,), 7, dtype="int32").dtype == torch.int32


def test_a_bool_tensor_with_a_python_int_is_int32():
    flags = ops.convert_to_tensor([True, False])
    assert ops.add(flags, 1).dtype == torch.int32 and ops.multiply(2, flags).dtype == torch.int32
    assert ops.add(flags, 1.5).dtype == torch.float32


def test_append_promotes_instead_of_truncating():
    joined = ops.append(ops.convert_to_tensor([1, 2]), ops.convert_to_tensor([0.5]))
    np.testing.assert_array_equal(joined.numpy(), [1.0, 2.0, 0.5])


def test_index_ops_are_int32_and_histogram_counts_float32():
    assert ops.nonzero(ops.convert_to_tensor([0, 1, 2]))[0].dtype == torch.int32
    assert ops.unravel_index(ops.convert_to_tensor([5]), (2, 4))[0].dtype == torch.int32
    assert ops.histogram(ops.convert_to_tensor([1.0, 2.0, 3.0]), bins=2)[0].dtype == torch.float32


def test_layer_normalization_uses_keras_epsilon():
    normed = ops.layer_normalization(ops.convert_to_tensor([[0.0, 0.01]]))
    np.testing.assert_allclose(normed.numpy(), [[-0.998, 0.998]], atol=1e-3)


def test_clip_takes_a_tensor_bound_beside_a_number():
    clipped = ops.clip(ops.convert_to_tensor([-1.0, 0.5, 2.0]), ops.zeros(3), 1.0)
    np.testing.assert_array_equal(clipped.numpy(), [0.0, 0.5, 1.0])


def test_bfloat16_converts_to_numpy_as_its_float32_values():
    values = ops.convert_to_numpy(ops.cast(ops.ones(2), "bfloat16"))
    assert values.dtype == np.float32 and values.tolist() == [1.0, 1.0]


def test_empty_segments_hold_the_reductions_identity():
    data, ids = ops.convert_to_tensor([1.0, 2.0, 3.0]), ops.convert_to_tensor([0, 0, 2])
    assert ops.segment_max(data, ids, num_segments=3).tolist() == [2.0, float("-inf"), 3.0]
    assert ops.segment_min(data, ids, num_segments=3).tolist() == [1.0, float("inf"), 3.0]


def test_keras_keywords_are_taken():
    labels = ops.convert_to_tensor([[0, 2]])
    assert ops.multi_hot(labels, num_tokens=3).tolist() == [[1.0, 0.0, 1.0]]
    assert float(ops.einsum("i,i->", ops.ones(2), ops.ones(2), optimize="greedy")) == 2.0


def test_a_float_random_op_refuses_an_integer_dtype():
    from lamina import random

    with pytest.raises(ValueError, match="requires a floating point dtype"):
        random.uniform((2,), dtype="int32")
