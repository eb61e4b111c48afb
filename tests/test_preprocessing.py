"""`keras.preprocessing.sequence` and the utils re-exports that TF-2 era programs import."""
import numpy as np
import pytest

import lamina
from lamina import utils
from lamina.preprocessing import sequence


def test_pad_sequences_is_the_utils_function():
    from lamina.preprocessing.sequence import pad_sequences

    assert pad_sequences is utils.pad_sequences
    assert sequence.__all__ == ["pad_sequences"]


@pytest.mark.parametrize("kwargs, expected", [
    ({"maxlen": 2}, [[2, 3], [0, 4]]),
    ({"maxlen": 2, "truncating": "post"}, [[1, 2], [0, 4]]),
    ({"padding": "post"}, [[1, 2, 3], [4, 0, 0]]),
    ({"padding": "post", "value": -1}, [[1, 2, 3], [4, -1, -1]]),
])
def test_pad_sequences_keras_examples(kwargs, expected):
    padded = sequence.pad_sequences([[1, 2, 3], [4]], **kwargs)
    assert padded.dtype == np.int32
    np.testing.assert_array_equal(padded, expected)


def test_x_y_sample_weight_helpers_round_trip():
    x, y, w = np.ones((2, 3)), np.zeros(2), np.full(2, 0.5)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight(x, y)[1] is y
    packed = utils.pack_x_y_sample_weight(x, y, w)
    assert len(packed) == 3
    assert all(a is b for a, b in zip(utils.unpack_x_y_sample_weight(packed), (x, y, w)))
    assert utils.unpack_x_y_sample_weight((x, y)) == (x, y, None)
    assert utils.unpack_x_y_sample_weight(x)[1:] == (None, None)
    with pytest.raises(ValueError, match="tuple of length 4"):
        utils.unpack_x_y_sample_weight((x, y, w, w))


def test_utils_re_exports_are_the_engine_and_saving_functions():
    from lamina.engine import data
    from lamina.utils import pack_x_y_sample_weight, register_keras_serializable

    assert pack_x_y_sample_weight is data.pack_x_y_sample_weight
    assert utils.unpack_x_y_sample_weight is data.unpack_x_y_sample_weight
    assert register_keras_serializable is lamina.saving.register_keras_serializable
    assert utils.serialize_keras_object is lamina.saving.serialize_keras_object
    for name in ("pack_x_y_sample_weight", "unpack_x_y_sample_weight",
                 "register_keras_serializable", "get_registered_object"):
        assert name in utils.__all__
    with pytest.raises(AttributeError, match="has no attribute 'not_a_util'"):
        utils.not_a_util


def test_register_keras_serializable_from_utils_registers_a_layer():
    @utils.register_keras_serializable(package="prep_tests")
    class Twice(lamina.layers.Layer):
        def call(self, inputs):
            return 2 * inputs

    assert utils.get_registered_object("prep_tests>Twice") is Twice
    config = lamina.saving.serialize_keras_object(Twice())
    assert type(lamina.saving.deserialize_keras_object(config)) is Twice
