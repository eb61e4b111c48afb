"""Shared pytest setup for tests and docstring examples: offline data, CPU, np/torch/lamina names."""
import os
from pathlib import Path

import numpy as np
import pytest
import torch

SHARED_DATASETS = Path(__file__).resolve().parent.parent / "shared" / "datasets"

# Tests and examples run offline from the IDX files beside the project (DESIGN.md "Test
# data"), unless the caller points LAMINA_DATASETS elsewhere.
if "LAMINA_DATASETS" not in os.environ and SHARED_DATASETS.is_dir():
    os.environ["LAMINA_DATASETS"] = str(SHARED_DATASETS)
os.environ.setdefault("LAMINA_DEVICE", "cpu")


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    """Docstring examples may use np, torch and lamina (also as keras) without importing them."""
    import lamina

    doctest_namespace.update(np=np, torch=torch, lamina=lamina, keras=lamina)
