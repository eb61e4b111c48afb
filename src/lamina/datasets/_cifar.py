"""Reading the CIFAR archives as published: batches read by name from the `.tar.gz`.

Each batch is a pickled dict (written by Python 2, hence `encoding="bytes"`) holding
`data`, a uint8 array with one row of 3 072 pixels per image (1 024 red, then green,
then blue, each row-major 32x32), and a list of labels. Members are read in the order
they appear in the stream, without extracting anything to disk.

Example:
    >>> to_channels_last(np.arange(3072).reshape(1, 3072))[0, 0, 1]  # pixel (0, 1)
    array([   1, 1025, 2049])
"""
from __future__ import annotations

import os
import pickle
import tarfile
import zlib
from pathlib import Path

import numpy as np

from lamina.datasets._download import DatasetIntegrityError
from lamina.datasets._restricted_pickle import load_pickle

__all__ = ["load_batches", "to_channels_last"]

_PIXELS = 3 * 32 * 32


def load_batches(archive: str | os.PathLike, members: list[str], label_key: str
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Reads the named batches of a CIFAR archive.

    Args:
        archive: the `.tar.gz` file, e.g. `cifar-10-python.tar.gz`.
        members: the batches' names inside it, e.g. "cifar-10-batches-py/test_batch".
        label_key: the labels' key in each batch: "labels", "fine_labels", "coarse_labels".

    Returns:
        One `(data, labels)` per member, in the order of `members`: `data` uint8
        (n, 3072), `labels` an integer array (n,).

    Raises:
        DatasetIntegrityError: the archive is damaged, lacks a member, or a batch is not
            a CIFAR batch or asks to run code (a `ValueError`).
    """
    archive = Path(archive)
    wanted, batches = set(members), {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            # Iterating reads the compressed stream once, front to back; looking members
            # up by name first would decompress the whole archive once more per member.
            for member in tar:
                if member.name in wanted and member.isfile():
                    with tar.extractfile(member) as batch_file:
                        batch = load_pickle(batch_file, encoding="bytes")
                    batches[member.name] = _parse_batch(batch, label_key, archive, member.name)
                    if len(batches) == len(wanted):
                        break
    except (tarfile.TarError, zlib.error, EOFError, OSError, pickle.UnpicklingError) as err:
        raise DatasetIntegrityError(
            f"{archive} is not a readable CIFAR archive ({err}). Replace it with the original "
            f"file, or delete it from the cache and call load_data() again.") from err
    missing = [name for name in members if name not in batches]
    if missing:
        raise DatasetIntegrityError(
            f"{archive} lacks the batches {missing}. Check that it is the right archive "
            f"(cifar-10-python.tar.gz for CIFAR-10, cifar-100-python.tar.gz for CIFAR-100).")
    return [batches[name] for name in members]


def _parse_batch(batch, label_key: str, archive: Path, member: str):
    where = f"{archive}, member {member}"
    if not isinstance(batch, dict):
        raise DatasetIntegrityError(
            f"{where} holds a {type(batch).__name__}, not a CIFAR batch (a dict).")
    batch = {key.decode("utf8") if isinstance(key, bytes) else key: value
             for key, value in batch.items()}
    data, labels = batch.get("data"), batch.get(label_key)
    if (not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2
            or data.shape[1] != _PIXELS):
        received = (f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray)
                    else type(data).__name__)
        raise DatasetIntegrityError(
            f"{where}: 'data' must be a uint8 array of shape (n, {_PIXELS}), received "
            f"{received}.")
    labels = np.asarray(labels)
    if labels.shape != (len(data),) or not np.issubdtype(labels.dtype, np.integer):
        raise DatasetIntegrityError(
            f"{where}: {label_key!r} must hold {len(data)} integer labels, one per image, "
            f"received {labels.dtype} {labels.shape}.")
    return data, labels


def to_channels_last(data: np.ndarray) -> np.ndarray:
    """Turns CIFAR rows (n, 3072) into contiguous channels-last images (n, 32, 32, 3).

    Args:
        data: uint8 rows, channel-major as stored in the batches.

    Returns:
        A new C-contiguous uint8 array.
    """
    return np.ascontiguousarray(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
