"""Fixtures for the model tests: Keras programs of tests/fixtures/models run as users run them."""
import importlib.util
import pathlib
import sys

import pytest

import lamina

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "models"


@pytest.fixture
def keras_program(monkeypatch):
    """`keras_program("make_nested_summary")`: that fixture program, imported with `keras`
    standing for lamina (only the import differs, as for a user's program)."""
    monkeypatch.setitem(sys.modules, "keras", lamina)

    def load(name: str):
        spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
