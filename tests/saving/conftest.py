"""Fixture files made by real Keras 3 and tf.keras 2, and lamina's twins of their custom classes.

tests/fixtures/saving/lamina_helpers.py is loaded once, as the module `saving_fixtures`
(test modules import `FIXTURES`, `listed` and `single` from it); loading it registers the
custom classes the fixture files name.
"""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "saving" / "lamina_helpers.py"
if "saving_fixtures" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("saving_fixtures", _PATH)
    sys.modules["saving_fixtures"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["saving_fixtures"])


@pytest.fixture(scope="session")
def keras_reference():
    return dict(np.load(_PATH.parent / "keras_reference.npz"))


@pytest.fixture(scope="session")
def legacy_reference():
    return dict(np.load(_PATH.parent / "legacy_reference.npz"))
