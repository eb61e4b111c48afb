"""keras.Input and `input_shape=`: a shape is a tuple; a bare number gets Keras' error and
the fix."""
import pytest

import lamina as keras


@pytest.mark.parametrize("make, argument", [
    (lambda: keras.Input(shape=784), "shape"),
    (lambda: keras.layers.Dense(8, input_shape=784), "input_shape"),
])
def test_a_bare_number_is_not_a_shape(make, argument):
    with pytest.raises(ValueError, match=rf"Cannot convert '784' to a shape: `{argument}` is one "
                                         rf"sample's shape as a tuple, e.g. {argument}=\(784,\)"):
        make()


def test_tuples_and_lists_are_shapes():
    assert keras.Input(shape=[28, 28]).shape == (None, 28, 28)
    assert keras.Input(shape=(None,)).shape == (None, None)
