"""Shared pytest setup for tests and docstring examples: CPU, doctest names, the real datasets.

Tests get MNIST-style data only as a user's program does, through `load_data()`:
`$LAMINA_DATASETS`, then lamina's cache, then a download. Where none works, a test that
needs the data fails with load_data()'s own message, which says where to put the files.
"""
import contextlib
import functools
import importlib
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch

os.environ.setdefault("LAMINA_DEVICE", "cpu")

# tests/fixtures/*/make_*.py write reference files with real Keras; they are not tests, and
# importing them for doctests would need Keras.
collect_ignore = ["tests/fixtures"]

# Only an argument-less call reads the real data; an example passing path=... or setting
# LAMINA_DATASETS brings small files of its own.
_DATASET_CALL = re.compile(r"datasets\.(\w+)\.load_data\(\)")


def load_real_data(name: str):
    """`lamina.datasets.<name>.load_data()`, or a failed test carrying load_data()'s message."""
    import lamina
    from lamina.datasets import DatasetIntegrityError, DatasetNotFoundError

    try:
        return getattr(lamina.datasets, name).load_data()
    except (DatasetNotFoundError, DatasetIntegrityError) as error:
        message = str(error)
    # Failing outside the except block keeps load_data()'s traceback out of the report.
    pytest.fail(f"This test needs the real {name} data, and load_data() could not get it:\n"
                f"{message}", pytrace=False)


@pytest.fixture(scope="session")
def real_data():
    """`real_data("mnist")` is `keras.datasets.mnist.load_data()`; without data the test fails.

    Each call returns new arrays. The failure message is load_data()'s: where it looked and
    where to put the files.
    """
    return load_real_data


@functools.cache
def _data_ready_for_doctests(name: str) -> bool:
    load_real_data(name)
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """A docstring example that loads a dataset fails as the tests do when the data is missing."""
    dtest = getattr(item, "dtest", None)
    if dtest is None:
        return
    source = "".join(example.source for example in dtest.examples)
    if "LAMINA_DATASETS" in source:
        return
    names = set(_DATASET_CALL.findall(source))
    module_path = dtest.name.split(".")
    if ("load_data()" in source and module_path[:2] == ["lamina", "datasets"]
            and len(module_path) > 2):
        names.add(module_path[2])
    for name in sorted(names):
        _data_ready_for_doctests(name)


_SOURCE_ROOT = Path(__file__).parent / "src"


def pytest_collect_file(file_path, parent):
    """Imports a lamina source file by its module name before its doctests are collected.

    With --import-mode=importlib, pytest given one source file (`pytest src/lamina/models/
    model.py`) whose module is not imported yet imports its package first, whose __init__
    imports the module, and then executes the file once more as a second module object. That
    copy's `Model` is not the class `Functional` subclasses, so `Model(inputs, outputs)` in
    its docstring returned an uninitialised object. Imported here, pytest reuses the module.
    """
    if file_path.suffix != ".py" or _SOURCE_ROOT not in file_path.parents:
        return None
    parts = file_path.relative_to(_SOURCE_ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if (parts and parts[0] == "lamina" and parts[-1] != "__main__"  # __main__ runs the CLI
            and all(part.isidentifier() for part in parts)):
        with contextlib.suppress(Exception):  # an import error is pytest's to report
            importlib.import_module(".".join(parts))
    return None


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    """Docstring examples may use np, torch and lamina (also as keras) without importing them."""
    import lamina

    doctest_namespace.update(np=np, torch=torch, lamina=lamina, keras=lamina)
