"""`keras.utils.get_file`: download a file once into the cache, verify it, optionally extract it.

The download goes through the datasets' one download path (`lamina.datasets._download.fetch`):
a progress bar on stderr, the hash checked before the file gets its name, an atomic rename.

Example:
    >>> import hashlib, pathlib, tempfile
    >>> served = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = served.write_text("hello")
    >>> path = get_file(origin=served.as_uri(), cache_dir=tempfile.mkdtemp(),
    ...                 file_hash=hashlib.sha256(b"hello").hexdigest())  # doctest: +ELLIPSIS
    Downloading data from file:///...notes.txt
    >>> pathlib.Path(path).read_text(), pathlib.Path(path).parent.name
    ('hello', 'datasets')
"""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import warnings
import zipfile
from pathlib import Path

from lamina.datasets._download import DatasetIntegrityError, datasets_home, fetch

__all__ = ["get_file"]

_ARCHIVE_KINDS = ("tar", "zip")


def get_file(fname: str | os.PathLike | None = None, origin: str | None = None,
             untar: bool = False, md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str | list[str] | None = "auto",
             cache_dir: str | os.PathLike | None = None, force_download: bool = False) -> str:
    """Downloads `origin` into the cache unless it is there already; Keras' `get_file`.

    The file lands in `<cache_dir>/<cache_subdir>/<fname>`, by default
    `$LAMINA_HOME/datasets/` (`~/.lamina/datasets/`), the folder the datasets use. A cached
    file is checked against `file_hash` when one is given and downloaded again if it
    differs; a download that does not match `file_hash` is deleted and reported.

    Args:
        fname: the file's name in the cache; default the last part of `origin`'s path. With
            `extract`, a name without a dot names the extraction folder instead.
        origin: the URL (http(s)://, ftp:// or file://).
        untar: deprecated (TF-2): same as `extract=True, archive_format="tar"`.
        md5_hash: deprecated (TF-2): same as `file_hash=md5_hash, hash_algorithm="md5"`.
        file_hash: the expected SHA-256 or MD5 of the file, hex.
        cache_subdir: the folder under `cache_dir`; an absolute path is used as it is.
        hash_algorithm: "sha256", "md5", or "auto" (64 hex digits mean SHA-256, else MD5).
        extract: unpack the archive (tar, tar.gz, tar.bz2, tar.xz, zip) beside it and return
            the folder it was unpacked into; unpacked again only after a new download or
            when the folder is missing.
        archive_format: "auto" (tar, then zip), "tar", "zip", a list of those, or None.
        cache_dir: the cache's root; default `$LAMINA_HOME` (`~/.lamina`). When it cannot be
            written, `<temp folder>/.lamina` is used, as Keras falls back to `/tmp/.keras`.
        force_download: download again even if the file is cached.

    Returns:
        The path of the file, or with `extract` of the folder it was unpacked into, as a str.

    Raises:
        ValueError: no `origin`, a path as `fname`, an unknown `hash_algorithm` or
            `archive_format`, a download that does not match `file_hash`, or an archive
            member that would land outside the extraction folder.
        OSError: the download failed ("URL fetch failure on ..."); nothing is kept.

    Example:
        >>> import io, pathlib, tarfile, tempfile
        >>> archive = pathlib.Path(tempfile.mkdtemp()) / "photos.tar.gz"
        >>> with tarfile.open(archive, "w:gz") as tar:
        ...     member = tarfile.TarInfo("photos/cat.txt")
        ...     member.size = 4
        ...     tar.addfile(member, io.BytesIO(b"meow"))
        >>> folder = get_file("photos", origin=archive.as_uri(), extract=True,
        ...                   cache_dir=tempfile.mkdtemp())  # doctest: +ELLIPSIS
        Downloading data from file:///...photos.tar.gz
        >>> (pathlib.Path(folder) / "photos" / "cat.txt").read_text()
        'meow'
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    algorithm = _resolve_algorithm(hash_algorithm, file_hash)
    if untar:
        extract, archive_format = True, "tar"
    kinds = _archive_kinds(archive_format) if extract else []
    folder = _cache_folder(cache_dir, cache_subdir)

    provided = os.fspath(fname) if fname else ""
    name = provided or os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. "
                         f"Please specify the `fname` argument.")
    if os.sep in name:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the "
                         "file's parent directory, use the `cache_dir` argument. "
                         f"Received: fname={name}")
    # Keras' naming: "x.tar.gz" downloads as itself and unpacks into "x_extracted"; a name
    # without a dot (or one taken from the URL) is the folder, the archive gets "_archive".
    if extract and provided and "." in name:
        target = folder / name
        extraction_folder = folder / f"{name[:name.find('.')]}_extracted"
    elif extract:
        target, extraction_folder = folder / f"{name}_archive", folder / name
    else:
        target, extraction_folder = folder / name, None

    download = force_download or not target.exists()
    outdated = (not download and file_hash is not None
                and _hash_file(target, algorithm) != file_hash.lower())
    if outdated:
        print(f"A local file was found, but it seems to be incomplete or outdated because the "
              f"{algorithm} file hash does not match the original value of {file_hash} so we "
              f"will re-download the data.")
        download = True
    if download:
        print(f"Downloading data from {origin}")
        _download(origin, file_hash, target, algorithm)
    if extraction_folder is None:
        return str(target)
    if download or not extraction_folder.exists():
        if not _extract(target, extraction_folder, kinds):
            warnings.warn("Could not extract archive.", stacklevel=2)
    return str(extraction_folder)


def _resolve_algorithm(hash_algorithm: str, file_hash: str | None) -> str:
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f'`hash_algorithm` must be "auto", "sha256" or "md5", but received '
                         f"hash_algorithm={hash_algorithm!r}.")
    if hash_algorithm != "auto":
        return hash_algorithm
    return "sha256" if file_hash is None or len(file_hash) == 64 else "md5"


def _archive_kinds(archive_format) -> list[str]:
    if archive_format is None:
        return []
    kinds = list(_ARCHIVE_KINDS) if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    unknown = [kind for kind in kinds if kind not in _ARCHIVE_KINDS]
    if unknown:
        raise ValueError(f'`archive_format` must be "auto", "tar", "zip", a list of those or '
                         f"None, but received archive_format={archive_format!r}.")
    return kinds


def _cache_folder(cache_dir, cache_subdir) -> Path:
    root = Path(cache_dir).expanduser() if cache_dir is not None else datasets_home().parent
    for base in (root, Path(tempfile.gettempdir()) / ".lamina"):
        folder = base / cache_subdir
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except PermissionError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise PermissionError(f"Neither {root / cache_subdir} nor the temporary folder can be "
                          f"written; pass a writable cache_dir.")


def _hash_file(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _download(origin: str, file_hash: str | None, target: Path, algorithm: str) -> None:
    try:
        fetch(origin, file_hash, target, hash_algorithm=algorithm, force=True)
    except DatasetIntegrityError as err:
        raise ValueError(
            f"Incomplete or corrupted file detected. The {algorithm} file hash does not match "
            f"the provided value of {file_hash}. Nothing was kept ({err})") from err
    except urllib.error.HTTPError as err:
        raise OSError(f"URL fetch failure on {origin}: {err.code} -- {err.msg}") from err
    except urllib.error.URLError as err:
        raise OSError(f"URL fetch failure on {origin}: {err.errno} -- {err.reason}") from err


def _extract(archive: Path, folder: Path, kinds: list[str]) -> bool:
    """Unpacks `archive` into `folder` (replacing it whole); False if no kind matches."""
    for kind in kinds:
        if kind == "tar" and tarfile.is_tarfile(archive):
            unpack = _untar
        elif kind == "zip" and zipfile.is_zipfile(archive):
            unpack = _unzip
        else:
            continue
        # Unpacked beside the final folder, then renamed: a reader sees the old folder or
        # the complete new one, never a half-unpacked archive.
        token = f"{os.getpid()}.{secrets.token_hex(4)}"
        staging = folder.with_name(f".{folder.name}.{token}.part")
        staging.mkdir()
        try:
            unpack(archive, staging)
            if folder.exists():
                stale = folder.with_name(f".{folder.name}.{token}.old")
                os.replace(folder, stale)
                os.replace(staging, folder)
                shutil.rmtree(stale)
            else:
                os.replace(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return True
    return False


def _untar(archive: Path, folder: Path) -> None:
    with tarfile.open(archive) as tar:
        try:
            # The "data" filter refuses members that would land outside `folder` (absolute
            # names, "..", links pointing out) and device files, as Keras' filter does.
            tar.extractall(folder, filter="data")
        except tarfile.FilterError as err:
            raise ValueError(f"{archive} holds an unsafe member ({err}); nothing was "
                             f"extracted. Do not use this archive.") from err


def _unzip(archive: Path, folder: Path) -> None:
    # ZipFile.extractall drops absolute prefixes and ".." parts, so every member stays
    # inside `folder`.
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder)
