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
