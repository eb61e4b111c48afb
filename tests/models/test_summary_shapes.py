"""summary()'s Output Shape cell for unusual structures, as Keras 3.15 prints it: `(None)` for
one axis, a layer's tuple or dict outputs as a flat list, a subclassed model's nested
multi-output encoder as a tuple, and surplus `positions` ignored.

The program is tests/fixtures/models/make_summary_shapes.py itself, run here with `keras`
standing for lamina (only the import differs, as for a user's program); its expected output
is what it printed under Keras.
"""
import pathlib


FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "models"


def test_the_program_prints_what_keras_printed(keras_program):
    program = keras_program("make_summary_shapes")
    assert program.summaries() == (FIXTURES / "summary_shapes.txt").read_text()
