"""`keras.tree`: every case of tests/fixtures/tree/tree_cases.py gives Keras 3.15's result."""
import collections
import json
import sys
from pathlib import Path

import pytest
import torch

import lamina
from lamina import tree

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tree"
sys.path.insert(0, str(FIXTURES))
import tree_cases  # noqa: E402

REFERENCE = json.loads((FIXTURES / "tree_reference.json").read_text())["cases"]


def test_the_fixture_covers_every_case():
    assert set(REFERENCE) == set(tree_cases.CASES)


@pytest.mark.parametrize("name", sorted(tree_cases.CASES))
def test_case_matches_keras(name):
    assert tree_cases.run(tree)[name] == REFERENCE[name]


def test_keras_tree_is_lamina_tree():
    assert lamina.tree is tree
    assert set(tree.__all__) <= set(dir(tree))


def test_map_structure_up_to_follows_keras_docstring():
    # Keras 3.15 on optree (JAX) raises on its own docstring examples; its torch backend and
    # the docstring give these values.
    assert tree.map_structure_up_to([None, None], len, [[1, 1], [2, 2]]) == [2, 2]
    assert tree.map_structure_up_to([None, [None, None]], str, [[1, 1], [2, 2]]) == [
        "[1, 1]", ["2", "2"]]
    assert tree.map_structure_up_to({"b": None, "a": None}, lambda x, y: x + y,
                                    {"a": 1, "b": 2}, {"b": 10, "a": 20}) == {"b": 12, "a": 21}


def test_tensors_and_tuple_subclasses_are_leaves():
    x = torch.ones(2, 3)
    assert tree.flatten([x, {"s": x.shape}]) == [x, x.shape]
    assert not tree.is_nested(x.shape)
    doubled = tree.map_structure(lambda t: t * 2, {"w": x, "b": (x,)})
    assert torch.equal(doubled["b"][0], 2 * x)


def test_flatten_and_pack_are_inverse_for_any_key_order():
    structure = {"z": [1, (2, 3)], "a": collections.OrderedDict([("y", 4), ("x", 5)]), "m": None}
    leaves = tree.flatten(structure)
    assert leaves == [4, 5, None, 1, 2, 3]
    assert tree.pack_sequence_as(structure, leaves) == structure
    assert [p for p, _ in tree.flatten_with_path(structure)] == [
        ("a", "y"), ("a", "x"), ("m",), ("z", 0), ("z", 1, 0), ("z", 1, 1)]


def test_errors_name_the_path():
    with pytest.raises(ValueError, match=r"at path \('a', 1\): expected an instance of list"):
        tree.assert_same_structure({"a": [0, [1]]}, {"a": [0, 2]})
    with pytest.raises(ValueError, match="structure has 3 leaves, but `flat_sequence` has 2"):
        tree.pack_sequence_as([1, (2, 3)], [4, 5])
    with pytest.raises(TypeError, match="`func` must be callable"):
        tree.traverse(None, [1])


def test_check_types_is_deprecated():
    with pytest.warns(DeprecationWarning, match="no longer has any effect"):
        tree.assert_same_structure([1], [2], check_types=True)
