"""lamina's dataset loaders against real Keras 3 run on the same tiny files.

`tests/fixtures/datasets/` holds small files in each dataset's original format, in the
`$LAMINA_DATASETS` layout, and `keras_expected.json`: what Keras' own loaders returned for
them (see make_keras_datasets.py there for how, and the CIFAR-10 padding it needs).
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import lamina as keras

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "datasets"
EXPECTED = json.loads((FIXTURES / "keras_expected.json").read_text())
CASES = [(name, call) for name in ("imdb", "reuters", "cifar10", "cifar100", "boston_housing",
                                   "california_housing") for call in EXPECTED[name]]


@pytest.fixture(autouse=True)
def fixture_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_DATASETS", str(FIXTURES))
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))


def assert_matches(array, expected, name):
    assert str(array.dtype) == expected["dtype"], name
    if expected["dtype"] != "object":
        assert list(array.shape) == expected["shape"], name
        digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        assert digest == expected["sha256"], name
        return
    # Keras builds its result with np.array(lists, dtype=object), which turns a split whose
    # sequences all have one length into a 2-D array; lamina always returns one list per
    # sequence, 1-D, so only the sequences, their order and their item types are compared.
    assert array.shape == (len(expected["values"]),), name
    assert [list(x) for x in array] == expected["values"], name
    assert sorted({type(w).__name__ for x in array for w in x}) == expected["item_types"], name
    assert {type(x).__name__ for x in array} <= {"list"}, name


@pytest.mark.parametrize("name, call", CASES,
                         ids=[f"{name}-{json.dumps(call['args'])}" for name, call in CASES])
def test_load_data_matches_keras(name, call):
    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data(**call["args"])
    for array, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"),
                       (y_test, "y_test")):
        assert_matches(array, call[key], f"{name} {key}")


def test_keras_two_dimensional_quirk_is_present_in_the_reference():
    """The fixture does hold a split where Keras' np.array call gave a 2-D object array."""
    shapes = [call["x_test"]["shape"] for call in EXPECTED["reuters"]]
    assert [1, 2] in shapes


@pytest.mark.parametrize("name", ["imdb", "reuters"])
def test_word_index_matches_keras(name):
    assert getattr(keras.datasets, name).get_word_index() == EXPECTED[f"{name}_word_index"]


def test_reuters_label_names_match_keras():
    assert list(keras.datasets.reuters.get_label_names()) == EXPECTED["reuters_label_names"]
