"""Warnings for slips that train silently but learn nothing, each naming the fix."""
import warnings

import numpy as np
import pytest

import lamina
from lamina import layers


def _caught(action) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in caught]


def _classifier(units, activation, first=()):
    return lamina.Sequential([lamina.Input((28, 28)), *first, layers.Flatten(),
                              layers.Dense(units, activation=activation)])


def test_softmax_on_one_unit_with_binary_crossentropy_warns_at_compile():
    model = _classifier(1, "softmax")
    messages = _caught(lambda: model.compile("adam", "binary_crossentropy"))
    assert any("always outputs 1.0" in m and "Dense(1, activation='sigmoid')" in m for m in messages)


@pytest.mark.parametrize("loss", ["categorical_crossentropy", lamina.losses.SparseCategoricalCrossentropy()])
def test_sigmoid_into_multiclass_loss_warns(loss):
    model = _classifier(10, "sigmoid")
    messages = _caught(lambda: model.compile("adam", loss))
    assert any("activation='softmax'" in m for m in messages)


def test_matching_output_and_loss_is_quiet():
    model = _classifier(10, "softmax")
    assert _caught(lambda: model.compile("adam", "sparse_categorical_crossentropy")) == []


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_raw_pixels_warn_with_the_fix(dtype):
    x = (np.arange(8 * 28 * 28) % 256).reshape(8, 28, 28).astype(dtype)
    y = np.arange(8, dtype="float32") % 10  # float labels 0.0-9.0 are accepted, as in Keras
    model = _classifier(10, "softmax")
    model.compile("adam", "sparse_categorical_crossentropy")
    messages = _caught(lambda: model.fit(x, y, epochs=1, verbose=0))
    assert any("x_train / 255.0" in m and "Rescaling(1. / 255)" in m for m in messages)
    assert _caught(lambda: model.fit(x / 255.0, y, epochs=1, verbose=0)) == []


def test_a_rescaling_layer_silences_the_pixel_warning():
    x = np.full((4, 28, 28), 200, dtype="uint8")

    class Rescaling(layers.Layer):  # stands for keras.layers.Rescaling
        def call(self, inputs):
            return inputs / 255.0

    model = _classifier(10, "softmax", first=(Rescaling(),))
    model.compile("adam", "sparse_categorical_crossentropy")
    assert not any("255" in m for m in _caught(lambda: model.fit(x, np.zeros(4), epochs=1, verbose=0)))
