"""Shared test setup: offline datasets, CPU device, fresh layer names, fixed seeds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"

# Tests run offline from the IDX files beside the project (DESIGN.md "Test data"), unless the
# caller points LAMINA_DATASETS elsewhere.
if "LAMINA_DATASETS" not in os.environ and SHARED_DATASETS.is_dir():
    os.environ["LAMINA_DATASETS"] = str(SHARED_DATASETS)
os.environ.setdefault("LAMINA_DEVICE", "cpu")


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with fresh auto-name counters and seeded random generators."""
    import lamina

    lamina.backend.clear_session()
    lamina.utils.set_random_seed(1337)
    yield
