"""summary(expand_nested=True) and summary(layer_range=...): Keras 3.15's text, row for row.

The expected text comes from tests/fixtures/models/make_nested_summary.py, which builds the
same two models in Keras: a functional model with a nested Sequential and a nested functional
head, and a Sequential holding both.
"""
import contextlib
import io
import pathlib

import pytest

import lamina as keras
from lamina import layers

EXPECTED = pathlib.Path(__file__).parents[1] / "fixtures" / "models" / "nested_summary.txt"


def nested_models():
    inner = keras.Sequential([keras.Input((8,)), layers.Dense(4, name="d1"),
                              layers.Dense(3, name="d2")], name="inner")
    features = keras.Input((3,))
    head = keras.Model(features, layers.Dense(2, name="fd")(features), name="head")
    x = keras.Input((8,), name="x")
    joined = layers.add([inner(x), layers.Dense(3, name="side")(x)])
    branched = keras.Model(x, head(joined), name="outer")
    chain = keras.Sequential([keras.Input((8,)), inner, layers.Dense(3, name="mid"), head],
                             name="chain")
    return branched, chain


def test_nested_rows_and_layer_range_print_as_keras_prints_them():
    branched, chain = nested_models()
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        branched.summary(expand_nested=True)
        branched.summary(expand_nested=True, show_trainable=True)
        chain.summary(expand_nested=True)
        chain.summary(layer_range=["inner", "mid"])
    assert text.getvalue() == EXPECTED.read_text()


def test_nested_rows_appear_only_when_asked():
    _, chain = nested_models()
    lines = []
    chain.summary(print_fn=lines.append)
    assert "└ d1" not in lines[0] and "inner (Sequential)" in lines[0]


@pytest.mark.parametrize("layer_range, message", [
    (["inner"], "layer_range must be a list or tuple of length 2"),
    (["inner", 3], "layer_range should contain string type only"),
    (["inner", "nowhere"], "Passed layer_names do not match the layer names in the model"),
])
def test_a_bad_layer_range_is_reported(layer_range, message):
    _, chain = nested_models()
    with pytest.raises(ValueError, match=message):
        chain.summary(layer_range=layer_range)
