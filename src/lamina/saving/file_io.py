"""Writing files atomically, and opening saved files with errors that say what is wrong.

A save writes to a temporary name in the target's folder, flushes and fsyncs it, then
renames it over the target in one step: an interrupted save leaves the previous file as
it was (and at worst a stray temporary file, never a half-written target).

Example:
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> target = os.path.join(folder, "notes.txt")
    >>> with atomic_write(target) as temporary:
    ...     with open(temporary, "w") as file:
    ...         _ = file.write("saved")
    >>> open(target).read(), sorted(os.listdir(folder))
    ('saved', ['notes.txt'])
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import zipfile

import h5py

from lamina.utils.errors import MissingFileError

__all__ = ["atomic_write", "open_h5", "open_zip", "read_member"]


@contextlib.contextmanager
def atomic_write(filepath, overwrite: bool = True):
    """Yields a temporary path beside `filepath`; on success it replaces `filepath` atomically.

    Raises:
        FileExistsError: `overwrite=False` and `filepath` exists.
        FileNotFoundError: the target's folder does not exist.
    """
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"File {filepath!r} already exists and overwrite=False. Pass "
                              f"overwrite=True to replace it, or choose another name.")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save to {filepath!r}: the folder {folder!r} does not "
                                f"exist. Create it first, e.g. `os.makedirs({folder!r})`.")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(filepath)}.",
                                         suffix=".tmp")
    os.close(handle)
    try:
        yield temporary
        _fsync(temporary)
        # mkstemp makes the file private (0600); a saved model gets the permissions any new
        # file would (0644 under the usual umask 022), as Keras' files do.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: str) -> None:
    with open(path, "rb+") as file:
        file.flush()
        os.fsync(file.fileno())


def _fsync_folder(folder: str) -> None:
    # The rename itself is durable only once the folder's entry is on disk (POSIX).
    if hasattr(os, "O_DIRECTORY"):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def open_zip(filepath) -> zipfile.ZipFile:
    """The `.keras` archive at `filepath`, or a ValueError naming the file and the fault.

    A folder that `save(..., zipped=False)` wrote (Keras' unzipped layout) reads as the same
    archive, held in memory.
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise MissingFileError(f"No file or directory found at {filepath!r}.")
    if os.path.isdir(filepath):
        return _folder_as_zip(filepath)
    try:
        return zipfile.ZipFile(filepath, "r")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"Could not read {filepath!r}: it is not a valid .keras file (a zip "
                         f"archive): {error}. The file is truncated or corrupt (an interrupted "
                         f"copy or download?); save or download it again.") from error


def is_unzipped_model(filepath) -> bool:
    """Whether `filepath` is a folder in Keras' unzipped `.keras` layout (its config.json)."""
    return os.path.isdir(filepath) and os.path.isfile(os.path.join(filepath, "config.json"))


def _folder_as_zip(folder: str) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                path = os.path.join(root, name)
                archive.write(path, os.path.relpath(path, folder).replace(os.sep, "/"))
    return zipfile.ZipFile(buffer, "r")


@contextlib.contextmanager
def atomic_folder(folder, overwrite: bool = True):
    """Yields a temporary folder beside `folder`; on success it takes `folder`'s place, and
    a folder it replaces is removed only once the new one is in place.

    Raises:
        FileExistsError: `overwrite=False` and `folder` exists.
    """
    folder = os.path.abspath(os.fspath(folder))
    if not overwrite and os.path.exists(folder):
        raise FileExistsError(f"{folder!r} already exists and overwrite=False. Pass "
                              f"overwrite=True to replace it, or choose another name.")
    parent = os.path.dirname(folder)
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"Cannot save to {folder!r}: the folder {parent!r} does not "
                                f"exist. Create it first, e.g. `os.makedirs({parent!r})`.")
    temporary = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(folder)}.")
    try:
        yield temporary
        old = None
        if os.path.exists(folder):
            old = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(folder)}.old.")
            os.replace(folder, os.path.join(old, "previous"))
        os.replace(temporary, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def read_member(archive: zipfile.ZipFile, name: str, filepath) -> bytes:
    """The bytes of the archive member `name`, read by name (nothing is extracted)."""
    if name not in archive.namelist():
        raise ValueError(f"Could not read {os.fspath(filepath)!r}: the .keras archive has no "
                         f"{name!r} (it holds {archive.namelist()}). It was not written by Keras "
                         f"or lamina, or it is damaged.")
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise ValueError(f"Could not read {os.fspath(filepath)!r}: its member {name!r} is "
                         f"corrupt ({error}). Save or download the file again.") from error


def open_h5(source, filepath, mode: str = "r") -> h5py.File:
    """An HDF5 file from a path or bytes, or a ValueError naming `filepath` and the fault."""
    try:
        if isinstance(source, bytes):
            return h5py.File(io.BytesIO(source), mode)
        return h5py.File(source, mode)
    except FileNotFoundError:
        raise MissingFileError(f"No file or directory found at {os.fspath(filepath)!r}.") from None
    except OSError as error:
        raise ValueError(f"Could not read {os.fspath(filepath)!r}: it is not a valid HDF5 file "
                         f"({error}). The file is truncated or corrupt, or it is not an .h5 "
                         f"file; save or download it again.") from error
