"""Keras' published application files (ImageNet weights, the class index), fetched once.

They go through `keras.utils.get_file` with Keras' URLs and hashes into
`$LAMINA_HOME/models/` (default `~/.lamina/models/`), as Keras caches them in
`~/.keras/models/`: the same files, so a copy of Keras' cache works offline.

Example:
    >>> import hashlib, pathlib, tempfile
    >>> from unittest import mock
    >>> served = pathlib.Path(tempfile.mkdtemp()) / "tiny_weights.h5"
    >>> _ = served.write_bytes(b"weights")
    >>> with mock.patch.dict(os.environ, LAMINA_HOME=tempfile.mkdtemp()):
    ...     path = fetch_keras_file("tiny_weights.h5", served.as_uri(),
    ...                             hashlib.md5(b"weights").hexdigest(), "tiny weights",
    ...                             "or pass weights=<path>")  # doctest: +ELLIPSIS
    Downloading data from file:///...tiny_weights.h5
    >>> pathlib.Path(path).parent.name
    'models'
"""
from __future__ import annotations

import os

from lamina.datasets._download import datasets_home
from lamina.utils.file_utils import get_file

__all__ = ["cached_path", "fetch_keras_file"]


def cached_path(fname: str) -> str:
    """Where `fetch_keras_file` keeps `fname`: `$LAMINA_HOME/models/<fname>`."""
    return os.fspath(datasets_home().parent / "models" / fname)


def fetch_keras_file(fname: str, origin: str, file_hash: str | None, what: str, fix: str) -> str:
    """The cached `fname`, downloaded from `origin` first when it is missing or outdated.

    Args:
        fname: the file's name in the cache (Keras' name).
        origin: Keras' URL for it.
        file_hash: Keras' MD5 or SHA-256 of the file, or None where Keras publishes none.
        what: what the file is, for the error message ("the ImageNet weights of VGG16").
        fix: the other way round a failed download, ending the message's sentence
            ("or pass weights='/path/to/file.h5'").

    Returns:
        The file's path.

    Raises:
        OSError: the download failed (e.g. no internet); the message names the file, where to
            put a copy, and `fix`.
        ValueError: the download does not match `file_hash`.
    """
    try:
        return get_file(fname, origin, cache_subdir="models", file_hash=file_hash)
    except OSError as error:
        # get_file's message names the URL.
        raise OSError(
            f"Could not download {what}: {error}. Without internet access, get {fname} on "
            f"another machine (Keras' cache ~/.keras/models/ holds the same file) and put it at "
            f"{cached_path(fname)}, {fix}.") from error
