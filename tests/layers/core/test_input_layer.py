"""keras.Input and `input_shape=`: a tuple or list is a shape; a bare number reads as one axis
(Keras 3 refuses it; tests/fixtures/compat records the departure); anything else gets Keras'
'Cannot convert to a shape' error with the fix."""
import pytest

import lamina as keras


def test_tuples_lists_and_a_bare_number_are_shapes():
    assert keras.Input(shape=[28, 28]).shape == (None, 28, 28)
    assert keras.Input(shape=(None,)).shape == (None, None)
    assert keras.layers.Dense(8, input_shape=784)._batch_input_shape == (None, 784)


def test_a_value_that_is_no_shape_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"Cannot convert '0.5' to a shape: `shape` is one "
                                         r"sample's shape as a tuple, e.g. shape=\(784,\)"):
        keras.Input(shape=0.5)


def test_input_28_28_is_a_shape_typed_without_parentheses_not_batch_28():
    with pytest.raises(ValueError, match=r"^Input\(28, 28\) reads as shape=28, batch_size=28\. "
                                         r"For samples of shape \(28, 28\) write "
                                         r"Input\(shape=\(28, 28\)\)\.$"):
        keras.Input(28, 28)
    assert keras.Input(28).shape == (None, 28)
    assert keras.Input((28,), 28).shape == (28, 28)  # a tuple with a batch size stays valid


def test_input_layer_input_shape_is_deprecated_as_in_keras():
    with pytest.warns(UserWarning, match=r"^Argument `input_shape` is deprecated\. Use `shape` "
                                         r"instead\.$"):
        layer = keras.layers.InputLayer(input_shape=(4,))
    assert layer.batch_shape == (None, 4)
