"""One file of a dataset, found on this machine or downloaded: the lookup of single-file datasets.

Lookup order for Keras' canonical file `fname` of the dataset `name` (e.g. "imdb", "imdb.npz"):
1. `$LAMINA_DATASETS/<name>/<fname>`: a file the user placed there is used as it is;
2. the cache, `$LAMINA_HOME/datasets/<name>/<path>` (`path` defaults to `fname`);
3. a download of Keras' canonical file into the cache through `_download.fetch`: progress
   bar, Keras' published hash, atomic rename.

Example:
    >>> from lamina.datasets._dataset_file import cache_path
    >>> cache_path("imdb", "imdb.npz").parts[-3:]
    ('datasets', 'imdb', 'imdb.npz')
"""
from __future__ import annotations

import os
from pathlib import Path

from lamina.datasets._download import DatasetNotFoundError, datasets_home, fetch

__all__ = ["cache_path", "dataset_file", "missing_file_error"]


def cache_path(name: str, path: str | os.PathLike) -> Path:
    """Where a downloaded file of dataset `name` is kept: `$LAMINA_HOME/datasets/<name>/<path>`.

    Args:
        name: the dataset's folder name, e.g. "imdb".
        path: the file's name in that folder; an absolute path is used as it is.

    Returns:
        The file's `Path` (it may not exist yet).

    Example:
        >>> cache_path("imdb", "/tmp/my_imdb.npz")
        PosixPath('/tmp/my_imdb.npz')
    """
    return datasets_home() / name / Path(path).expanduser()


def dataset_file(name: str, fname: str, *, title: str, url: str, file_hash: str,
                 path: str | os.PathLike | None = None, hash_algorithm: str = "sha256",
                 call: str = "load_data()") -> Path:
    """The local copy of Keras' file `fname` of dataset `name`, downloaded once if needed.

    Args:
        name: the dataset's folder name, e.g. "reuters".
        fname: Keras' canonical file name, e.g. "reuters.npz".
        title: the dataset's human name for messages, e.g. "Reuters newswires".
        url: Keras' download address of the file.
        file_hash: Keras' published hash of the file (guards downloads only).
        path: the file's name in the cache folder (Keras' `path` argument); default `fname`.
        hash_algorithm: "sha256", or "md5" where Keras publishes only an MD5.
        call: the function to call again after fixing a missing file, for the message.

    Returns:
        The file's `Path`.

    Raises:
        DatasetNotFoundError: not on this machine and not downloadable (an `OSError`).
        DatasetIntegrityError: the download does not match `file_hash` (a `ValueError`).

    Example:
        >>> import tempfile
        >>> cached = Path(tempfile.mkdtemp()) / "my_boston.npz"
        >>> _ = cached.write_bytes(b"cached before")
        >>> dataset_file("boston_housing", "boston_housing.npz", title="Boston Housing",
        ...              url="https://example.invalid/b.npz", file_hash="0" * 64,
        ...              path=cached).read_bytes()
        b'cached before'
    """
    root = os.environ.get("LAMINA_DATASETS")
    if root:
        placed = Path(root).expanduser() / name / fname
        if placed.is_file():
            return placed
    target = cache_path(name, path if path is not None else fname)
    try:
        return fetch(url, file_hash, target, hash_algorithm=hash_algorithm)
    except OSError as err:
        raise missing_file_error(title, name, fname, target, url, err, call) from err


def missing_file_error(title: str, name: str, fname: str, target: Path, url: str,
                       reason: BaseException, call: str = "load_data()") -> DatasetNotFoundError:
    """The error raised when a dataset file is neither local nor downloadable, with the fixes.

    Args:
        title: the dataset's human name, e.g. "CIFAR-10".
        name: its folder name, e.g. "cifar10".
        fname: Keras' canonical file name, e.g. "cifar-10-python.tar.gz".
        target: the file's place in the cache.
        url: the download address that was tried.
        reason: the error the download raised.
        call: the function to call again, e.g. "get_word_index()".

    Returns:
        A `DatasetNotFoundError` (a `FileNotFoundError`, hence an `OSError`) to raise.
    """
    root = os.environ.get("LAMINA_DATASETS")
    lines = [f"{title} is not on this machine and could not be downloaded ({reason}).",
             f"Looked for {fname} at:"]
    if root:
        lines.append(f"  {Path(root).expanduser() / name / fname} (missing)")
    else:
        lines.append(f"  $LAMINA_DATASETS/{name}/{fname} (LAMINA_DATASETS is not set)")
    lines += [
        f"  {target} (missing)",
        "Fix it in one of these ways:",
        f"  - put the original {fname} in a folder <root>/{name}/ and set the environment "
        f"variable LAMINA_DATASETS=<root>;",
        f"  - put it at {target};",
        f"  - connect to the internet and call {call} again; it downloads {url}.",
    ]
    return DatasetNotFoundError("\n".join(lines))
