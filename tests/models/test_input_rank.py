"""Data of the wrong rank is refused by every way into a model, with Keras' message: a direct
call, the *_on_batch methods, Sequential and functional alike. Keras' one-axis rule (add or drop
a trailing axis of 1) still applies, and other lengths of a declared axis still run."""
import numpy as np
import pytest

import lamina as keras
from lamina import layers

RANK_ERROR = (r"Invalid input shape for input '\w+'\. Expected shape \(None, 4\), but input has "
              r"incompatible shape \(2, 3, 4\)\.")


def _sequential():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _functional():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(3)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("make", [_sequential, _functional])
def test_a_direct_call_refuses_data_of_another_rank(make):
    with pytest.raises(ValueError, match=RANK_ERROR):
        make()(np.zeros((2, 3, 4), "float32"))


@pytest.mark.parametrize("make", [_sequential, _functional])
@pytest.mark.parametrize("method", ["train_on_batch", "test_on_batch", "predict_on_batch"])
def test_the_on_batch_methods_refuse_data_of_another_rank(make, method):
    model = make()
    args = (np.zeros((2, 3, 4), "float32"),) + ((np.zeros((2, 3, 3)),) if method != "predict_on_batch" else ())
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        getattr(model, method)(*args)
    assert np.all(model.get_weights()[1] == 0)  # nothing trained


def test_one_sample_without_its_batch_axis_gets_the_fix():
    with pytest.raises(ValueError, match=r"incompatible shape \(4,\)\. That looks like a single "
                                         r"sample: add the batch axis, e\.g\. x\[None\]\."):
        _functional()(np.zeros((4,), "float32"))


def test_images_into_a_flat_input_get_the_flatten_fix():
    with pytest.raises(ValueError, match=r"look like images of shape \(2, 2\): start the model "
                                         r"with `keras.Input\(shape=\(2, 2\)\)` and `Flatten\(\)`"):
        _functional()(np.zeros((5, 2, 2), "float32"))


def test_a_trailing_axis_of_one_and_another_sequence_length_still_run():
    assert tuple(_sequential()(np.zeros((2, 4, 1), "float32")).shape) == (2, 3)
    recurrent = keras.Sequential([keras.Input((20, 3)), layers.LSTM(4)])
    assert tuple(recurrent(np.zeros((2, 30, 3), "float32")).shape) == (2, 4)
