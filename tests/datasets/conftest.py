"""Fixtures for dataset tests: an offline `$LAMINA_DATASETS` and writers of the original formats."""
import io
import pickle
import struct
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from lamina.datasets import _download


class Python2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2 `str` opcodes, as the published CIFAR batches were."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_python2_str(self, obj):
        data = obj if isinstance(obj, bytes) else obj.encode("latin1")
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = save_python2_str
    dispatch[str] = save_python2_str


class DatasetFiles:
    """Writes dataset files under `root` (the test's `$LAMINA_DATASETS`) in original formats."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, dataset: str, fname: str) -> Path:
        folder = self.root / dataset
        folder.mkdir(parents=True, exist_ok=True)
        return folder / fname

    @staticmethod
    def ragged(sequences) -> np.ndarray:
        """A 1-D object array of Python lists, as IMDB/Reuters store their sequences."""
        array = np.empty(len(sequences), dtype=object)
        for i, sequence in enumerate(sequences):
            array[i] = list(sequence)
        return array

    @staticmethod
    def cifar_batch(data, python2: bool = True, **labels) -> bytes:
        """A pickled CIFAR batch: bytes keys, uint8 `data` (n, 3072), label lists."""
        batch = {b"batch_label": b"testing batch", b"data": np.asarray(data, np.uint8)}
        batch.update({key.encode(): [int(v) for v in value] for key, value in labels.items()})
        if not python2:
            return pickle.dumps(batch, protocol=pickle.DEFAULT_PROTOCOL)
        buffer = io.BytesIO()
        Python2Pickler(buffer, protocol=2).dump(batch)
        # Python 2's NumPy named its module numpy.core, as the published files do.
        return buffer.getvalue().replace(b"cnumpy._core.multiarray\n",
                                         b"cnumpy.core.multiarray\n", 1)

    def tar_gz(self, dataset: str, fname: str, members: dict) -> Path:
        path = self.path(dataset, fname)
        with tarfile.open(path, "w:gz") as tar:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path


@pytest.fixture
def dataset_files(tmp_path, monkeypatch):
    """`$LAMINA_DATASETS` and `$LAMINA_HOME` in tmp_path; a download attempt fails at once."""
    root = tmp_path / "datasets"
    root.mkdir()
    monkeypatch.setenv("LAMINA_DATASETS", str(root))
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))

    def offline(url):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(_download, "_urlopen", offline)
    return DatasetFiles(root)
