"""Fixture files made by real Keras 3 and tf.keras 2, and lamina's twins of their custom classes.

Loading tests/fixtures/saving/lamina_custom_objects.py registers the custom classes that the
fixture files name.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "saving"
_spec = importlib.util.spec_from_file_location("lamina_custom_objects",
                                               FOLDER / "lamina_custom_objects.py")
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))


class Reference(dict):
    """A reference `.npz` file's arrays, keyed `<model>/x0`, `<model>/y1`, `<model>/next_3`..."""

    def listed(self, prefix: str) -> list:
        """`self[prefix + "0"]`, `self[prefix + "1"]`, ... while they exist."""
        return [self[f"{prefix}{i}"] for i in range(100) if f"{prefix}{i}" in self]

    def inputs(self, prefix: str):
        """`listed(prefix)` as a model takes it: one array alone, several as a list."""
        values = self.listed(prefix)
        return values[0] if len(values) == 1 else values


@pytest.fixture(scope="session")
def keras_reference():
    return Reference(np.load(FOLDER / "keras_reference.npz"))


@pytest.fixture(scope="session")
def legacy_reference():
    return Reference(np.load(FOLDER / "legacy_reference.npz"))
