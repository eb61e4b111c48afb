"""Dataset files: where they are looked for, how they are downloaded, verified and read.

Lookup order for a dataset called `name` (e.g. "fashion_mnist"):
1. `$LAMINA_DATASETS/<name>/` holding the original files (offline machines, tests);
2. the cache folder `$LAMINA_HOME/datasets` (default `~/.lamina/datasets`);
3. a download of the canonical files, with a progress bar on stderr, checked against
   the published SHA-256 and renamed into the cache atomically, so an interrupted
   download never leaves a half-written file under the final name. A download that
   receives nothing for `$LAMINA_DOWNLOAD_TIMEOUT` seconds (default 5) gives up.

Example:
    >>> from lamina.datasets._download import datasets_home
    >>> datasets_home().name
    'datasets'
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np

__all__ = [
    "DatasetNotFoundError", "DatasetIntegrityError", "IDX_FILES", "datasets_home",
    "local_idx_folder", "lamina_datasets_problem", "download_timeout", "fetch", "read_idx",
    "read_idx_dataset", "missing_dataset_error",
]

IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
# Small reads keep the progress bar moving on a slow line; the socket timeout applies per read.
_CHUNK_BYTES = 1 << 16
_DEFAULT_TIMEOUT_S = 5.0
_HASH_NAMES = {"sha256": "SHA-256", "md5": "MD5"}
_IDX_UBYTE = 0x08


class DatasetNotFoundError(FileNotFoundError):
    """The dataset's files are neither on this machine nor downloadable right now."""


class DatasetIntegrityError(ValueError):
    """A dataset file is damaged: wrong hash, not gzip, truncated, or a bad IDX header."""


def datasets_home() -> Path:
    """The cache folder: `$LAMINA_HOME/datasets`, default `~/.lamina/datasets`.

    Returns:
        The folder as a `Path` (it may not exist yet).

    Example:
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, LAMINA_HOME="/data/lamina"):
        ...     print(datasets_home())
        /data/lamina/datasets
    """
    home = os.environ.get("LAMINA_HOME") or os.path.join("~", ".lamina")
    return Path(home).expanduser() / "datasets"


def _search_folders(name: str) -> list[Path]:
    folders = []
    root = os.environ.get("LAMINA_DATASETS")
    if root:
        folders.append(Path(root).expanduser() / name)
    folders.append(datasets_home() / name)
    return folders


def local_idx_folder(name: str) -> Path | None:
    """The first of `$LAMINA_DATASETS/<name>` and the cache's `<name>` holding all IDX files.

    Args:
        name: the dataset's folder name, e.g. "mnist".

    Returns:
        The folder, or None when neither holds all four files of `IDX_FILES`.

    Example:
        >>> local_idx_folder("no_such_dataset") is None
        True
    """
    for folder in _search_folders(name):
        if all((folder / fname).is_file() for fname in IDX_FILES):
            return folder
    return None


def lamina_datasets_problem(name: str) -> str | None:
    """Why `$LAMINA_DATASETS/<name>/` cannot be used, in one sentence with the fix.

    Args:
        name: the dataset's folder name, e.g. "fashion_mnist".

    Returns:
        None when `LAMINA_DATASETS` is unset or its `<name>/` holds all of `IDX_FILES`;
        else what is wrong: the folder is missing, lacks files, or `LAMINA_DATASETS`
        names the dataset folder itself instead of the folder above it.

    Example:
        >>> import tempfile
        >>> from unittest import mock
        >>> with mock.patch.dict(os.environ, LAMINA_DATASETS=tempfile.mkdtemp()):
        ...     print(lamina_datasets_problem("mnist"))
        LAMINA_DATASETS=... is set, but it has no mnist/ folder.
    """
    setting = os.environ.get("LAMINA_DATASETS")
    if not setting:
        return None
    root = Path(setting).expanduser()
    folder = root / name
    missing = [fname for fname in IDX_FILES if not (folder / fname).is_file()]
    if not missing:
        return None
    if all((root / fname).is_file() for fname in IDX_FILES):
        return (f"LAMINA_DATASETS={setting} holds the IDX files itself, but it must name the "
                f"folder above the dataset folders, the one holding {name}/: e.g. "
                f"LAMINA_DATASETS={root.parent} when {root} is the {name} folder.")
    if not root.is_dir():
        return f"LAMINA_DATASETS={setting} is set, but that folder does not exist."
    if not folder.is_dir():
        return f"LAMINA_DATASETS={setting} is set, but it has no {name}/ folder."
    return f"LAMINA_DATASETS={setting} is set, but {folder}/ lacks {', '.join(missing)}."


def download_timeout() -> float:
    """Seconds a download may receive nothing before it gives up: `$LAMINA_DOWNLOAD_TIMEOUT`.

    Returns:
        The value of the environment variable `LAMINA_DOWNLOAD_TIMEOUT`, default 5.

    Raises:
        ValueError: the variable is not a positive number.

    Example:
        >>> download_timeout() > 0
        True
    """
    setting = os.environ.get("LAMINA_DOWNLOAD_TIMEOUT")
    if not setting:
        return _DEFAULT_TIMEOUT_S
    try:
        seconds = float(setting)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0:
        raise ValueError(f"LAMINA_DOWNLOAD_TIMEOUT must be a positive number of seconds, "
                         f"received {setting!r}. Unset it for the default of "
                         f"{_DEFAULT_TIMEOUT_S:g} s.")
    return seconds


def fetch(url: str, sha256: str | None, target: Path, *, hash_algorithm: str = "sha256",
          force: bool = False) -> Path:
    """Returns `target` if it exists, else downloads `url` there and checks its hash.

    Args:
        url: where the file comes from (http(s):// or file://).
        sha256: the published hash of the file, hex (SHA-256 unless `hash_algorithm` says
            otherwise), or None to keep the download unchecked (`keras.utils.get_file`).
        target: the file's place in the cache.
        hash_algorithm: "sha256" or "md5" (Keras publishes MD5 for its word indexes).
        force: download even if `target` exists, replacing it atomically.

    Returns:
        `target`.

    Raises:
        DatasetIntegrityError: the downloaded bytes do not match `sha256` (nothing is kept).
        TimeoutError: nothing arrived for `download_timeout()` seconds (nothing is kept).
        OSError: the download failed (offline, HTTP error, disk full); nothing is kept.

    Example:
        >>> import hashlib, tempfile
        >>> source = Path(tempfile.mkdtemp()) / "published.bin"
        >>> _ = source.write_bytes(b"lamina")
        >>> digest = hashlib.sha256(b"lamina").hexdigest()
        >>> fetch(source.as_uri(), digest, source.with_name("cached.bin")).read_bytes()
        b'lamina'
    """
    target = Path(target)
    if target.is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file sits beside the target so os.replace is a same-filesystem
    # rename: readers see either no file or the whole verified file.
    partial = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    # O_EXCL: never write into someone else's file; 0o666 lets the umask decide, as for
    # any file the user creates (mkstemp would leave the cache file readable by owner only).
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _stream_to(url, out, label=target.name, hash_algorithm=hash_algorithm)
        if sha256 is not None and digest != sha256.lower():
            raise DatasetIntegrityError(
                f"The file downloaded from {url} is damaged: its {_HASH_NAMES[hash_algorithm]} "
                f"is {digest}, "
                f"expected {sha256}. It was deleted; call load_data() again to retry.")
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return target


def _urlopen(url: str):
    import urllib.request  # imported here: only a download needs it

    return urllib.request.urlopen(url, timeout=download_timeout())


def _stream_to(url: str, out, label: str, hash_algorithm: str = "sha256") -> str:
    import urllib.error  # imported here: only a download needs it

    try:
        response = _urlopen(url)
    except (urllib.error.URLError, TimeoutError) as error:
        if isinstance(error, urllib.error.URLError) and not isinstance(error.reason, TimeoutError):
            raise
        raise TimeoutError(
            f"The server of {url} did not answer within {download_timeout():g} s. Check the "
            f"connection and try again (LAMINA_DOWNLOAD_TIMEOUT sets how long to wait).") from None
    digest = hashlib.new(hash_algorithm)
    with response:
        length = response.headers.get("Content-Length") if response.headers else None
        progress = _Progress(label, int(length) if length else None)
        try:
            while chunk := response.read(_CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                progress.advance(len(chunk))
        except TimeoutError:
            raise TimeoutError(
                f"The download of {url} stalled: nothing arrived for {download_timeout():g} s "
                f"after {progress.done / 1e6:.1f} MB. Nothing was kept; check the connection "
                f"and try again (LAMINA_DOWNLOAD_TIMEOUT sets how long to wait).") from None
        finally:
            progress.finish()
    return digest.hexdigest()


class _Progress:
    """A one-line download bar on stderr, redrawn at most ten times a second."""

    width = 30

    def __init__(self, label: str, total: int | None):
        self.label, self.total, self.done = label, total, 0
        self.last_draw = time.monotonic()
        self._draw()

    def advance(self, nbytes: int) -> None:
        self.done += nbytes
        now = time.monotonic()
        if now - self.last_draw >= 0.1:
            self.last_draw = now
            self._draw()

    def finish(self) -> None:
        self._draw()
        sys.stderr.write("\n")
        sys.stderr.flush()

    def _draw(self) -> None:
        megabytes = f"{self.done / 1e6:.1f}"
        if self.total:
            filled = min(self.width, self.width * self.done // self.total)
            bar = "=" * filled + " " * (self.width - filled)
            text = (f"Downloading {self.label}: [{bar}] {megabytes}/{self.total / 1e6:.1f} MB "
                    f"{100 * self.done // self.total:3d}%")
        else:
            text = f"Downloading {self.label}: {megabytes} MB"
        sys.stderr.write("\r" + text)
        sys.stderr.flush()


def _gunzip(path: Path) -> bytes:
    with open(path, "rb") as fh:
        compressed = fh.read()
    members = []
    # A gzip file may hold several concatenated members; each needs its own inflater.
    while compressed:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            members.append(inflater.decompress(compressed))
        except zlib.error as err:
            raise DatasetIntegrityError(
                f"{path} is not a valid gzip file ({err}). Replace it with the original "
                f"file from the dataset's download site.") from None
        if not inflater.eof:
            raise DatasetIntegrityError(
                f"{path} ends early: the gzip stream is truncated (an interrupted copy or "
                f"download?). Replace it with the original file.")
        compressed = inflater.unused_data
    return members[0] if len(members) == 1 else b"".join(members)


def read_idx(path: str | os.PathLike, ndim: int) -> np.ndarray:
    """Reads a gzipped IDX file of unsigned bytes (the MNIST format) into a new array.

    Args:
        path: the `.gz` file.
        ndim: the number of dimensions the file must have (3 for images, 1 for labels).

    Returns:
        A writable uint8 array of the shape stored in the file's header.

    Raises:
        DatasetIntegrityError: not gzip, truncated, wrong magic number or wrong size.

    Example:
        >>> import gzip, tempfile
        >>> path = Path(tempfile.mkdtemp()) / "labels-idx1-ubyte.gz"
        >>> header = bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big")  # ubyte, 1 dim of 3
        >>> _ = path.write_bytes(gzip.compress(header + bytes([7, 2, 1])))
        >>> read_idx(path, ndim=1)
        array([7, 2, 1], dtype=uint8)
    """
    path = Path(path)
    raw = _gunzip(path)
    expected_magic = (_IDX_UBYTE << 8) | ndim
    header_bytes = 4 + 4 * ndim
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if magic != expected_magic or len(raw) < header_bytes:
        raise DatasetIntegrityError(
            f"{path} is not an IDX file of unsigned bytes with {ndim} dimension(s): its magic "
            f"number is {magic}, expected {expected_magic}. Check that the file is the right "
            f"one (images are *-idx3-ubyte.gz, labels *-idx1-ubyte.gz).")
    shape = struct.unpack(f">{ndim}I", raw[4:header_bytes])
    expected_bytes = int(np.prod(shape, dtype=np.int64))
    received_bytes = len(raw) - header_bytes
    if received_bytes != expected_bytes:
        raise DatasetIntegrityError(
            f"{path} is damaged: its header announces shape {shape} ({expected_bytes} bytes) "
            f"but it holds {received_bytes} bytes of data. Replace it with the original file.")
    # frombuffer views the decompressed bytes read-only; the copy gives the caller an
    # array it owns and may modify in place, as Keras users do.
    return np.frombuffer(raw, dtype=np.uint8, offset=header_bytes).reshape(shape).copy()


def read_idx_dataset(folder: Path | dict[str, Path]) -> tuple:
    """Reads the four IDX files of an MNIST-style dataset.

    Args:
        folder: the folder holding `IDX_FILES`, or a dict from those names to paths.

    Returns:
        `(x_train, y_train), (x_test, y_test)`, uint8 arrays.

    Example:
        >>> import gzip, tempfile
        >>> def idx(array):
        ...     shape = b"".join(d.to_bytes(4, "big") for d in array.shape)
        ...     return gzip.compress(bytes([0, 0, 0x08, array.ndim]) + shape + array.tobytes())
        >>> folder = Path(tempfile.mkdtemp())
        >>> for split, count in (("train", 3), ("t10k", 2)):
        ...     images = np.zeros((count, 28, 28), np.uint8)
        ...     _ = (folder / f"{split}-images-idx3-ubyte.gz").write_bytes(idx(images))
        ...     labels = np.arange(count, dtype=np.uint8)
        ...     _ = (folder / f"{split}-labels-idx1-ubyte.gz").write_bytes(idx(labels))
        >>> (x_train, y_train), (x_test, y_test) = read_idx_dataset(folder)
        >>> x_train.shape, y_train, x_test.shape
        ((3, 28, 28), array([0, 1, 2], dtype=uint8), (2, 28, 28))
    """
    paths = folder if isinstance(folder, dict) else {f: Path(folder) / f for f in IDX_FILES}
    splits = []
    for prefix in ("train", "t10k"):
        images_path = paths[f"{prefix}-images-idx3-ubyte.gz"]
        labels_path = paths[f"{prefix}-labels-idx1-ubyte.gz"]
        images, labels = read_idx(images_path, ndim=3), read_idx(labels_path, ndim=1)
        if len(images) != len(labels):
            raise DatasetIntegrityError(
                f"{images_path} holds {len(images)} images but {labels_path} holds "
                f"{len(labels)} labels: the two files do not belong together.")
        splits.append((images, labels))
    return tuple(splits)


def missing_dataset_error(title: str, name: str, urls: list[str], reason: BaseException,
                          alternative: str = "") -> DatasetNotFoundError:
    """The error raised when a dataset is neither local nor downloadable, with the fixes.

    Args:
        title: the dataset's human name, e.g. "Fashion-MNIST".
        name: its folder name, e.g. "fashion_mnist".
        urls: the download addresses that were tried.
        reason: the error the download raised.
        alternative: an extra sentence naming another accepted file (e.g. mnist.npz).

    Returns:
        A `DatasetNotFoundError` (a `FileNotFoundError`, hence an `OSError`) to raise.
    """
    root = os.environ.get("LAMINA_DATASETS")
    lines = [f"{title} is not on this machine and could not be downloaded ({reason}).",
             f"Looked for {', '.join(IDX_FILES)} in:"]
    if not root:
        lines.append(f"  $LAMINA_DATASETS/{name}/ (LAMINA_DATASETS is not set)")
    for folder in _search_folders(name):
        missing = [f for f in IDX_FILES if not (folder / f).is_file()]
        state = f"missing: {', '.join(missing)}" if folder.is_dir() else "does not exist"
        lines.append(f"  {folder}/ ({state})")
    problem = lamina_datasets_problem(name)
    if problem:
        lines.append(problem)
    lines += [
        "Fix it in one of these ways:",
        f"  - put the four original files in a folder <root>/{name}/ and set the environment "
        f"variable LAMINA_DATASETS=<root>;",
        f"  - put them in the cache folder {datasets_home() / name}/;",
    ]
    if alternative:
        lines.append(f"  - {alternative};")
    lines.append("  - connect to the internet and call load_data() again; it downloads "
                 + ", ".join(urls) + ".")
    return DatasetNotFoundError("\n".join(lines))
