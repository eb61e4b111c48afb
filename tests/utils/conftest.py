"""Fixtures for the utils tests: the Keras reference file and the folders it describes (the
data-from-folders tests), and the weight groups of a saved `.keras` file (the tracking tests)."""
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "utils" / "data_reference.npz"


@pytest.fixture(scope="session")
def keras_reference():
    """(arrays, cases by name, split-size table) from tests/fixtures/utils/data_reference.npz."""
    arrays = dict(np.load(REFERENCE))
    meta = json.loads(str(arrays.pop("cases.json")))
    return arrays, {case["name"]: case for case in meta["cases"]}, meta["split_sizes"]


def _write_folder(root: Path, arrays: dict, prefix: str) -> Path:
    from PIL import Image

    for key, content in arrays.items():
        if not key.startswith(prefix):
            continue
        target = root / key[len(prefix):]
        target.parent.mkdir(parents=True, exist_ok=True)
        if content.dtype.kind == "U":
            target.write_bytes(str(content).encode("utf-8"))
        else:
            Image.fromarray(content).save(target, format="bmp" if target.suffix.lower() == ".bmp" else "png")
    return root


@pytest.fixture(scope="session")
def reference_image_folder(keras_reference, tmp_path_factory):
    """The image folder Keras read to make the reference (class sub-folders, odd names)."""
    return _write_folder(tmp_path_factory.mktemp("images"), keras_reference[0], "image/")


@pytest.fixture(scope="session")
def reference_text_folder(keras_reference, tmp_path_factory):
    """The text folder Keras read to make the reference."""
    return _write_folder(tmp_path_factory.mktemp("texts"), keras_reference[0], "text/")


@pytest.fixture
def saved_weight_groups():
    """The groups holding variables in a `.keras` file's model.weights.h5, in file order."""
    import h5py

    def groups(path) -> list[str]:
        with zipfile.ZipFile(path) as archive:
            weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")))
            found = []
            weights.visit(lambda n: found.append(n) if n.endswith("vars") and len(weights[n])
                          else None)
        return found

    return groups
