"""Variable dtypes (float64 kept, bfloat16 readable), and Keras-style initializers in add_weight."""
import copy
import pickle

import numpy as np
import pytest
import torch

import lamina as keras
from lamina.variables import Variable


class TwoWeights(keras.layers.Layer):
    """One float64 weight by `add_weight(dtype=...)`, one in the layer's own dtype."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     dtype="float64", name="scale")
        self.shift = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="shift")

    def call(self, inputs):
        return inputs * self.scale + self.shift


def test_add_weight_dtype_float64_gives_a_float64_variable():
    layer = TwoWeights()
    layer.build((None, 3))
    assert layer.scale.dtype == torch.float64
    assert isinstance(layer.scale, Variable)
    assert layer.shift.dtype == torch.float32
    assert layer.get_weights()[0].dtype == np.float64


def test_a_float64_layer_has_float64_weights_and_computes_in_float64():
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(5, 4)), rng.normal(size=(4,))
    x = rng.normal(size=(8, 5))
    layer = keras.layers.Dense(4, dtype="float64")
    layer.build((None, 5))
    layer.set_weights([kernel, bias])
    assert [w.dtype for w in layer.weights] == [torch.float64, torch.float64]
    assert layer.dtype == layer.compute_dtype == layer.variable_dtype == "float64"
    expected = x @ kernel + bias  # float64 NumPy
    out = layer(x)
    assert out.dtype == torch.float64
    # float32 arithmetic would miss by ~1e-7; float64 agrees to rounding.
    np.testing.assert_allclose(out.numpy(), expected, rtol=0, atol=1e-13)
    # A float32 input is cast to the layer's compute dtype (Keras' autocast of floats).
    out32 = layer(torch.tensor(x, dtype=torch.float32))
    assert out32.dtype == torch.float64
    np.testing.assert_allclose(out32.numpy(), x.astype(np.float32).astype(np.float64) @ kernel
                               + bias, rtol=0, atol=1e-13)


def test_a_float64_model_trains_and_keeps_float64_weights():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, dtype="float64")])
    model.compile(optimizer=keras.optimizers.SGD(0.125), loss="mse")
    kernel = np.array([[0.5], [-0.25], [0.125]])
    model.set_weights([kernel, np.zeros(1)])
    # Values exact in float32 too: fit feeds floatx data and the loss is float32, as in Keras.
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.25, 0.125]])
    y = np.array([[1.0], [0.0]])
    model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    # One SGD step on the mean squared error: w -= lr * 2/N * x^T (xw - y).
    residual = x @ kernel - y
    expected = kernel - 0.125 * 2 / 2 * x.T @ residual
    assert model.layers[0].kernel.dtype == torch.float64
    np.testing.assert_allclose(model.get_weights()[0], expected, rtol=0, atol=1e-15)


def test_copies_and_pickles_keep_the_dtype_and_autocast_flag():
    variable = Variable(np.arange(3.0), dtype="float64", autocast=False, name="v")
    for clone in (copy.deepcopy(variable), pickle.loads(pickle.dumps(variable))):
        assert clone.dtype == torch.float64
        assert clone._autocast is False
        np.testing.assert_array_equal(clone.numpy(), [0.0, 1.0, 2.0])


def test_a_value_without_dtype_becomes_floatx_as_before():
    assert Variable(np.ones(3)).dtype == torch.float32
    assert Variable(np.ones(3), dtype="float64").dtype == torch.float64
    assert Variable(np.ones(3, dtype=np.int64)).dtype == torch.int64


def test_a_bfloat16_variable_reads_as_float32_numpy():
    variable = Variable(np.array([1.5, -2.0]), dtype="bfloat16")
    assert variable.dtype == torch.bfloat16
    array = variable.numpy()
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, [1.5, -2.0])
    assert "dtype=bfloat16" in repr(variable)


class Fives(keras.initializers.Initializer):
    """A Keras 3 custom initializer: `__call__(shape, dtype=None)`, no `device`."""

    def __call__(self, shape, dtype=None):
        return np.full(shape, 5.0, dtype=dtype)


class Arange(keras.initializers.Initializer):
    def __init__(self, start=0.0):
        self.start = start

    def __call__(self, shape, dtype=None):
        return keras.ops.reshape(keras.ops.arange(self.start, self.start + np.prod(shape),
                                                  dtype=dtype), shape)

    def get_config(self):
        return {"start": self.start}


@pytest.mark.parametrize("dtype", [None, "float64"])
def test_a_keras_style_initializer_class_works_in_add_weight(dtype):
    layer = keras.layers.Layer()
    weight = layer.add_weight(shape=(2, 3), initializer=Fives(), dtype=dtype)
    assert weight.dtype == (torch.float64 if dtype else torch.float32)
    np.testing.assert_array_equal(weight.numpy(), np.full((2, 3), 5.0))
    weight = layer.add_weight(shape=(2, 2), initializer=Arange(1.0), dtype=dtype)
    np.testing.assert_array_equal(weight.numpy(), [[1.0, 2.0], [3.0, 4.0]])


def test_a_keras_style_initializer_works_as_a_dense_kernel_initializer():
    dense = keras.layers.Dense(2, kernel_initializer=Fives())
    dense.build((None, 3))
    np.testing.assert_array_equal(dense.kernel.numpy(), np.full((3, 2), 5.0))
    assert dense.kernel.device == dense.bias.device


def test_a_lamina_initializer_still_receives_the_device():
    seen = {}

    class Recording(keras.initializers.Initializer):
        def __call__(self, shape, dtype=None, device=None):
            seen["device"] = device
            return torch.zeros(shape, dtype=keras.backend.torch_dtype(dtype))

    keras.layers.Layer().add_weight(shape=(2,), initializer=Recording())
    assert seen["device"] == torch.device("cpu")


@pytest.mark.parametrize("expression", [
    lambda w, a: w * a, lambda w, a: a * w, lambda w, a: w + a, lambda w, a: a - w,
    lambda w, a: w / a, lambda w, a: w ** a, lambda w, a: a @ w])
def test_numpy_operands_keep_the_variable_trainable(expression):
    w = keras.Variable(np.full((3,), 2.0, "float32"))
    result = expression(w, np.full((3,), 4.0))
    assert isinstance(result, torch.Tensor) and result.dtype == torch.float32
    assert result.requires_grad
    result.sum().backward()
    assert w.grad is not None and bool(torch.all(w.grad != 0))


def test_a_weight_scaled_by_a_numpy_array_in_call_trains():
    class Scaled(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(3, 1), initializer="ones")

        def call(self, x):
            return keras.ops.matmul(x, self.w * np.ones((3, 1)))

    model = keras.Sequential([keras.Input((3,)), Scaled()])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(np.ones((8, 3), "float32"), np.zeros((8, 1), "float32"), epochs=1, verbose=0)
    assert model.layers[0].w.dtype == torch.float32
    assert float(model.layers[0].w.numpy().max()) < 0.9


def test_unnamed_weights_share_keras_one_count():
    class Two(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,))
            self.b = self.add_weight(shape=(2,))

    first, second = Two(), Two()
    first.build((None, 2))
    second.build((None, 2))
    # Keras 3.15: one session-wide counter for the name "variable".
    assert [w.path for w in first.weights + second.weights] == [
        "two/variable", "two/variable_1", "two_1/variable_2", "two_1/variable_3"]
    assert keras.Variable(1.0).name == "variable_4"


def test_numpy_functions_take_weights_and_model_outputs_as_arrays():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    outputs = model(np.ones((2, 4), "float32"))
    kernel = model.layers[0].kernel
    assert isinstance(np.mean(kernel), np.floating) and np.concatenate([kernel, kernel]).shape == (8, 3)
    np.testing.assert_allclose(np.sum(outputs), outputs.detach().numpy().sum(), rtol=1e-6)
    assert np.argmax(outputs, -1).shape == (2,)
    # A NumPy scalar times an output stays a tensor that trains (no ufunc override).
    assert (np.float32(2.0) * outputs).requires_grad


def test_numpy_values_are_copies_that_later_training_does_not_change():
    # Géron's ExponentialLearningRate callback keeps `optimizer.learning_rate.numpy()` values.
    variable = keras.Variable(np.zeros(2, "float32"))
    before, as_array = variable.numpy(), np.asarray(variable)
    variable.assign([1.0, 2.0])
    np.testing.assert_array_equal(before, [0.0, 0.0])
    np.testing.assert_array_equal(as_array, [0.0, 0.0])
    model = keras.Sequential([keras.Input((2,)),
                               keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.1))
    kernel, rate = model.layers[0].kernel.numpy(), model.optimizer.learning_rate.numpy()
    model.fit(np.ones((4, 2)), np.zeros((4, 1)), verbose=0)
    model.optimizer.learning_rate = 0.5
    np.testing.assert_array_equal(kernel, [[1.0], [1.0]])
    assert rate == np.float32(0.1)


def test_a_weight_shape_is_a_tuple_of_ints_as_keras_prints_it():
    dense = keras.layers.Dense(3)
    dense.build((None, 4))
    assert type(dense.kernel.shape) is tuple
    assert str(dense.kernel.shape) == "(4, 3)"
    assert dense.kernel.shape == dense.kernel.size() == (4, 3)
