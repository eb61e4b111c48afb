"""keras.utils.get_file: cache, hashes, re-downloads, extraction, errors (file:// URLs, offline)."""
import hashlib
import io
import os
import tarfile
import urllib.error
import zipfile
from pathlib import Path

import pytest

import lamina as keras
from lamina.datasets import _download
from lamina.utils import file_utils

get_file = keras.utils.get_file


@pytest.fixture
def opened(monkeypatch, tmp_path):
    """The URLs get_file opens; LAMINA_HOME points into tmp_path."""
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    urls = []
    real_urlopen = _download._urlopen

    def counting_urlopen(url):
        urls.append(url)
        return real_urlopen(url)

    monkeypatch.setattr(_download, "_urlopen", counting_urlopen)
    return urls


def served(tmp_path, name="data.bin", content=b"lamina bytes") -> Path:
    path = tmp_path / "server" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def tar_gz(tmp_path, name, members) -> Path:
    path = tmp_path / "server" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for member_name, data in members.items():
            info = tarfile.TarInfo(member_name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_downloads_once_into_the_lamina_cache(tmp_path, opened, capsys):
    source = served(tmp_path)
    path = get_file(origin=source.as_uri(), file_hash=sha256(b"lamina bytes"))
    assert isinstance(path, str)
    assert Path(path) == tmp_path / "home" / "datasets" / "data.bin"
    assert Path(path).read_bytes() == b"lamina bytes"
    captured = capsys.readouterr()
    assert f"Downloading data from {source.as_uri()}" in captured.out
    assert "Downloading data.bin: [" in captured.err
    assert get_file(origin=source.as_uri(), file_hash=sha256(b"lamina bytes")) == path
    assert opened == [source.as_uri()], "the second call must use the cache"


def test_fname_cache_dir_and_absolute_cache_subdir(tmp_path, opened):
    source = served(tmp_path)
    path = get_file("renamed.bin", source.as_uri(), cache_dir=tmp_path / "mine",
                    cache_subdir="sub")
    assert Path(path) == tmp_path / "mine" / "sub" / "renamed.bin"
    absolute = tmp_path / "elsewhere"
    assert Path(get_file("a.bin", source.as_uri(), cache_subdir=str(absolute))) == \
        absolute / "a.bin"


@pytest.mark.parametrize("kwargs", [
    {"file_hash": hashlib.md5(b"lamina bytes").hexdigest()},
    {"md5_hash": hashlib.md5(b"lamina bytes").hexdigest()},
    {"file_hash": hashlib.md5(b"lamina bytes").hexdigest(), "hash_algorithm": "md5"},
    {"file_hash": sha256(b"lamina bytes").upper(), "hash_algorithm": "sha256"},
])
def test_md5_and_sha256_hashes_verify(tmp_path, opened, kwargs):
    path = get_file(origin=served(tmp_path).as_uri(), cache_dir=tmp_path / "c", **kwargs)
    assert Path(path).read_bytes() == b"lamina bytes"


def test_hash_mismatch_on_download_raises_and_keeps_nothing(tmp_path, opened):
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected. The sha256 "
                                         "file hash does not match the provided value of 0000"):
        get_file(origin=served(tmp_path).as_uri(), file_hash="0" * 64, cache_dir=tmp_path / "c")
    assert list((tmp_path / "c" / "datasets").iterdir()) == []


def test_outdated_cached_file_is_downloaded_again(tmp_path, opened, capsys):
    cached = tmp_path / "c" / "datasets" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"old version")
    path = get_file(origin=served(tmp_path).as_uri(), file_hash=sha256(b"lamina bytes"),
                    cache_dir=tmp_path / "c")
    assert Path(path).read_bytes() == b"lamina bytes" and len(opened) == 1
    assert ("A local file was found, but it seems to be incomplete or outdated because the "
            "sha256 file hash does not match") in capsys.readouterr().out


def test_cached_file_without_hash_is_kept_unless_forced(tmp_path, opened):
    cached = tmp_path / "c" / "datasets" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"old version")
    source = served(tmp_path).as_uri()
    assert Path(get_file(origin=source, cache_dir=tmp_path / "c")).read_bytes() == b"old version"
    assert opened == []
    forced = get_file(origin=source, cache_dir=tmp_path / "c", force_download=True)
    assert Path(forced).read_bytes() == b"lamina bytes" and len(opened) == 1


@pytest.mark.parametrize("fname, archive_name, folder_name", [
    ("photos.tar.gz", "photos.tar.gz", "photos_extracted"),
    ("photos", "photos_archive", "photos"),
    (None, "pack.tgz_archive", "pack.tgz"),
])
def test_extract_follows_keras_naming(tmp_path, opened, fname, archive_name, folder_name):
    source = tar_gz(tmp_path, "pack.tgz", {"photos/cat.txt": b"meow", "dog.txt": b"woof"})
    folder = get_file(fname, source.as_uri(), extract=True, cache_dir=tmp_path / "c")
    datasets = tmp_path / "c" / "datasets"
    assert Path(folder) == datasets / folder_name
    assert (datasets / archive_name).is_file()
    assert (Path(folder) / "photos" / "cat.txt").read_bytes() == b"meow"
    assert (Path(folder) / "dog.txt").read_bytes() == b"woof"
    assert sorted(p.name for p in datasets.iterdir()) == sorted([archive_name, folder_name])


def test_untar_and_zip(tmp_path, opened):
    source = tar_gz(tmp_path, "t.tar.gz", {"a.txt": b"A"})
    folder = get_file("t", source.as_uri(), untar=True, cache_dir=tmp_path / "c")
    assert (Path(folder) / "a.txt").read_bytes() == b"A"
    zipped = tmp_path / "server" / "z.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("inner/b.txt", "B")
        archive.writestr("../escape.txt", "kept inside")
    folder = get_file("z", zipped.as_uri(), extract=True, archive_format="zip",
                      cache_dir=tmp_path / "c")
    assert (Path(folder) / "inner" / "b.txt").read_text() == "B"
    assert (Path(folder) / "escape.txt").read_text() == "kept inside"
    assert not (tmp_path / "c" / "escape.txt").exists()


def test_redownload_replaces_the_extracted_folder(tmp_path, opened):
    source = tar_gz(tmp_path, "v.tar.gz", {"old.txt": b"1"})
    folder = Path(get_file("v", source.as_uri(), extract=True, cache_dir=tmp_path / "c"))
    tar_gz(tmp_path, "v.tar.gz", {"new.txt": b"2"})
    again = get_file("v", source.as_uri(), extract=True, cache_dir=tmp_path / "c",
                     force_download=True)
    assert Path(again) == folder and sorted(p.name for p in folder.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["v", "v_archive"]


def test_unsafe_tar_member_is_refused(tmp_path, opened):
    source = tar_gz(tmp_path, "evil.tar", {"../../outside.txt": b"x"})
    with pytest.raises(ValueError, match="unsafe member"):
        get_file("evil", source.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert not (tmp_path / "outside.txt").exists()
    assert sorted(p.name for p in (tmp_path / "c" / "datasets").iterdir()) == ["evil_archive"]


def test_not_an_archive_warns_as_keras_does(tmp_path, opened):
    source = served(tmp_path, "plain.txt", b"not an archive")
    with pytest.warns(UserWarning, match="Could not extract archive."):
        folder = get_file("plain", source.as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert Path(folder) == tmp_path / "c" / "datasets" / "plain" and not Path(folder).exists()


@pytest.mark.parametrize("kwargs, message", [
    ({}, 'Please specify the "origin" argument'),
    ({"origin": "https://example.invalid/"}, "Can't parse the file name from the origin"),
    ({"origin": "https://example.invalid/f", "fname": f"sub{os.sep}f"},
     "Paths are no longer accepted as the `fname` argument"),
    ({"origin": "https://example.invalid/f", "hash_algorithm": "sha1"},
     '`hash_algorithm` must be "auto", "sha256" or "md5", but received hash_algorithm=\'sha1\''),
    ({"origin": "https://example.invalid/f", "extract": True, "archive_format": "rar"},
     "`archive_format` must be .* received archive_format='rar'"),
])
def test_bad_arguments_raise_value_error(tmp_path, opened, kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_file(cache_dir=tmp_path / "c", **kwargs)
    assert opened == []


def test_offline_raises_url_fetch_failure(tmp_path, monkeypatch):
    def offline(url):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(_download, "_urlopen", offline)
    with pytest.raises(OSError, match="URL fetch failure on https://example.invalid/f.bin: "
                                      "None -- network is unreachable"):
        get_file(origin="https://example.invalid/f.bin", cache_dir=tmp_path)
    assert list((tmp_path / "datasets").iterdir()) == []


def test_unwritable_cache_falls_back_to_the_temp_folder(tmp_path, opened, monkeypatch):
    locked = tmp_path / "locked"
    real_access = os.access
    monkeypatch.setattr(file_utils.os, "access",
                        lambda path, mode: False if Path(path).is_relative_to(locked)
                        else real_access(path, mode))
    monkeypatch.setattr(file_utils.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    path = get_file(origin=served(tmp_path).as_uri(), cache_dir=locked)
    assert Path(path) == tmp_path / "tmp" / ".lamina" / "datasets" / "data.bin"
