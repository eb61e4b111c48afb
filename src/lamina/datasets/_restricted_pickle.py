"""Reading the pickles inside dataset files without letting a file run code.

Two of Keras' datasets are pickles by definition: IMDB and Reuters keep their ragged word
sequences as object arrays, which `.npz` files can only hold as a pickle stream, and the
CIFAR archives define each batch as a pickled dict holding a uint8 array. A pickle may name
any importable callable (`os.system`, `builtins.eval`, ...) and have it called while
loading, so `np.load(allow_pickle=True)` or a plain `pickle.load` would run whatever a
tampered download contains. `RestrictedUnpickler` resolves only the three globals that
rebuild a NumPy array; dicts, lists, tuples, bytes, strings and numbers need no global at
all, so the original files load and nothing else can be called.

Example:
    >>> import io, pickle
    >>> data = pickle.dumps({b"labels": [3, 1], b"data": np.zeros((2, 4), np.uint8)})
    >>> batch = load_pickle(io.BytesIO(data))
    >>> batch[b"labels"], batch[b"data"].shape
    ([3, 1], (2, 4))
"""
from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from lamina.datasets._download import DatasetIntegrityError

__all__ = ["RestrictedUnpickler", "load_pickle", "load_npz"]

# NumPy >= 2 pickles name `numpy._core`, older files (the published IMDB/Reuters/CIFAR
# ones) `numpy.core`; both spellings rebuild the same array.
_ARRAY_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
})


class RestrictedUnpickler(pickle.Unpickler):
    """A `pickle.Unpickler` that builds only NumPy arrays and plain Python containers."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load {module}.{name}: a dataset file may hold only NumPy arrays, "
            f"lists, dicts, bytes, strings and numbers. The file is damaged or was tampered "
            f"with; replace it with the original.")


def load_pickle(file, encoding: str = "ASCII"):
    """Unpickles one object from the binary `file` with `RestrictedUnpickler`.

    Args:
        file: an open binary file positioned at the pickle.
        encoding: how Python 2 `str` objects are decoded; "bytes" keeps them as bytes, as
            the CIFAR batches (written by Python 2) need.

    Returns:
        The object.

    Raises:
        pickle.UnpicklingError: the pickle names something other than a NumPy array part.
    """
    return RestrictedUnpickler(file, encoding=encoding).load()


def load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Reads every array of an `.npz` file; object arrays go through `RestrictedUnpickler`.

    Args:
        path: the `.npz` file.

    Returns:
        A dict from each array's name to a new array.

    Raises:
        DatasetIntegrityError: not a readable `.npz` file, or a pickle that asks for
            anything but NumPy arrays (a `ValueError`).

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "ragged.npz"
        >>> ragged = np.empty(2, dtype=object)
        >>> ragged[0], ragged[1] = [1, 2, 3], [4]
        >>> np.savez(path, x=ragged, y=np.array([0, 1]))
        >>> arrays = load_npz(path)
        >>> arrays["x"].tolist(), arrays["y"]
        ([[1, 2, 3], [4]], array([0, 1]))
    """
    path = Path(path)
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    arrays[member[:-len(".npy")]] = _read_npy(io.BytesIO(archive.read(member)))
    except (zipfile.BadZipFile, pickle.UnpicklingError, ValueError, EOFError, OSError) as err:
        raise DatasetIntegrityError(
            f"{path} is not a readable .npz file ({err}). Replace it with the original "
            f"file, or delete it from the cache and call load_data() again to download it."
        ) from err
    return arrays


def _read_npy(buffer: io.BytesIO) -> np.ndarray:
    version = np.lib.format.read_magic(buffer)
    # Format 3.0 differs from 2.0 only in the header's text encoding; both have the
    # same 4-byte length field, so 2.0's reader finds where the data starts.
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    _, _, dtype = read_header(buffer)
    if dtype.hasobject:
        array = load_pickle(buffer)
        if not isinstance(array, np.ndarray):
            raise ValueError(f"an .npy member holds a {type(array).__name__}, not an array")
        return array
    buffer.seek(0)
    return np.lib.format.read_array(buffer, allow_pickle=False)
