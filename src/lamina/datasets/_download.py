"""Dataset files: where they are looked for, how they are downloaded, verified and read.

Lookup order for a dataset called `name` (e.g. "fashion_mnist"):
1. `$LAMINA_DATASETS/<name>/` holding the original files (offline machines, tests);
2. the cache folder `$LAMINA_HOME/datasets` (default `~/.lamina/datasets`);
3. a download of the canonical files, with a progress bar on stderr, checked against
   the published SHA-256 and renamed into the cache atomically, so an interrupted
   download never leaves a half-written file under the final name.

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
    "local_idx_folder", "fetch", "read_idx", "read_idx_dataset", "missing_dataset_error",
]

IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
_CHUNK_BYTES = 1 << 20
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
        >>> datasets_home().parts[-2:]
        ('.lamina', 'datasets')
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
        >>> local_idx_folder("mnist").name  # with LAMINA_DATASETS set, as in the tests
        'mnist'
    """
    for folder in _search_folders(name):
        if all((folder / fname).is_file() for fname in IDX_FILES):
            return folder
    return None


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

    return urllib.request.urlopen(url, timeout=60)


def _stream_to(url: str, out, label: str, hash_algorithm: str = "sha256") -> str:
    digest = hashlib.new(hash_algorithm)
    with _urlopen(url) as response:
        length = response.headers.get("Content-Length") if response.headers else None
        progress = _Progress(label, int(length) if length else None)
        while chunk := response.read(_CHUNK_BYTES):
            out.write(chunk)
            digest.update(chunk)
            progress.advance(len(chunk))
        progress.finish()
    return digest.hexdigest()


class _Progress:
    """A one-line download bar on stderr, redrawn at most ten times a second."""

    width = 30

    def __init__(self, label: str, total: int | None):
        self.label, self.total, self.done = label, total, 0
        self.last_draw = 0.0

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
        >>> read_idx(local_idx_folder("mnist") / "t10k-labels-idx1-ubyte.gz", ndim=1)[:3]
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
        >>> (x_train, y_train), _ = read_idx_dataset(local_idx_folder("mnist"))
        >>> x_train.shape, y_train[:3]
        ((60000, 28, 28), array([5, 0, 4], dtype=uint8))
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
        lines.append(f"  {folder}/ (missing: {', '.join(missing)})")
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
