"""Ops whose arguments do not fit raise Keras' kinds of error naming the op and the shapes,
on data and on Keras tensors, in place of torch's bare RuntimeError / IndexError."""
import numpy as np
import pytest

import lamina as keras
from lamina import layers, ops


@pytest.mark.parametrize("call, kind, message", [
    (lambda: ops.add(np.zeros((2, 3)), np.zeros((2, 4))), ValueError,
     r"`ops.add` cannot take arguments of shapes \(2, 3\), \(2, 4\)"),
    (lambda: ops.matmul(np.zeros((2, 3)), np.zeros((4, 2))), ValueError,
     r"`ops.matmul` cannot take arguments of shapes \(2, 3\), \(4, 2\)"),
    (lambda: ops.reshape(np.zeros((2, 3)), (4, 2)), ValueError,
     r"`ops.reshape` cannot take arguments of shapes \(2, 3\)"),
    (lambda: ops.softmax(np.zeros((2, 3)), axis=5), IndexError,
     r"`ops.softmax` cannot take arguments of shapes \(2, 3\): Dimension out of range"),
])
def test_ops_on_data_name_the_op_and_shapes(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_an_axis_out_of_range_is_also_a_value_error_as_numpy_s_axis_error_is():
    with pytest.raises(ValueError):
        ops.transpose(np.zeros((2, 3)), (0, 2))


@pytest.mark.parametrize("call, message", [
    (lambda: keras.Input((3,)) + keras.Input((4,)),
     r"`add` cannot take Keras tensors of shapes \(None, 3\), \(None, 4\)"),
    (lambda: ops.matmul(keras.Input((3,)), keras.Input((4, 5))),
     r"`matmul` cannot take Keras tensors of shapes \(None, 3\), \(None, 4, 5\)"),
])
def test_ops_on_keras_tensors_name_the_symbolic_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_custom_call_failing_on_symbolic_inputs_gets_keras_type_error():
    class Project(layers.Layer):
        def call(self, x):
            return ops.matmul(x, ops.ones((5, 2)))

    with pytest.raises(TypeError, match=r"Could not automatically infer the output shape / dtype "
                                        r"of 'project' \(of type Project\) called on inputs of "
                                        r"shape \(None, 4\)"):
        keras.Sequential([keras.Input((4,)), Project(name="project")])


def test_ops_nn_and_ops_linalg_take_keras_tensors_as_the_top_level_ops_do():
    x = keras.Input((4,))
    assert ops.nn.softmax(x).shape == (None, 4) and ops.nn.relu(x).shape == (None, 4)
    assert ops.linalg.norm(x, axis=-1).shape == (None,)
