"""summary(expand_nested=True) and summary(layer_range=...): Keras 3.15's text, row for row.

The models and the printing are tests/fixtures/models/make_nested_summary.py itself, run here
with `keras` standing for lamina (only the import differs, as for a user's program); the
expected text is what it printed under Keras: a functional model with a nested Sequential and
a nested functional head, and a Sequential holding both.
"""
import pathlib

import pytest


FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "models"


@pytest.fixture
def program(keras_program):
    return keras_program("make_nested_summary")


def test_nested_rows_and_layer_range_print_as_keras_prints_them(program):
    assert program.summaries() == (FIXTURES / "nested_summary.txt").read_text()


def test_nested_rows_appear_only_when_asked(program):
    _, chain = program.models()
    lines = []
    chain.summary(print_fn=lines.append)
    assert "└ d1" not in lines[0] and "inner (Sequential)" in lines[0]


@pytest.mark.parametrize("layer_range, message", [
    (["inner"], "layer_range must be a list or tuple of length 2"),
    (["inner", 3], "layer_range should contain string type only"),
    (["inner", "nowhere"], "Passed layer_names do not match the layer names in the model"),
])
def test_a_bad_layer_range_is_reported(program, layer_range, message):
    _, chain = program.models()
    with pytest.raises(ValueError, match=message):
        chain.summary(layer_range=layer_range)
