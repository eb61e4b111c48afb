"""The single-file lookup of cifar10/100, imdb, reuters and the housing sets: offline folder,
cache, one verified download, and the message when the file is nowhere."""
import hashlib
import urllib.request

import numpy as np
import pytest

import lamina as keras
from lamina.datasets import DatasetIntegrityError, DatasetNotFoundError, _download
from lamina.datasets import (
    boston_housing, california_housing, cifar10, cifar100, imdb, reuters,
)

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# (call, module, folder, Keras' file name, Keras' URL, hash attribute, Keras' hash)
FILES = [
    (imdb.load_data, imdb, "imdb", "imdb.npz", BASE + "imdb.npz", "_FILE_HASH",
     "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    (imdb.get_word_index, imdb, "imdb", "imdb_word_index.json", BASE + "imdb_word_index.json",
     "_WORD_INDEX_MD5", "bfafd718b763782e994055a2d397834f"),
    (reuters.load_data, reuters, "reuters", "reuters.npz", BASE + "reuters.npz", "_FILE_HASH",
     "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
    (reuters.get_word_index, reuters, "reuters", "reuters_word_index.json",
     BASE + "reuters_word_index.json", "_WORD_INDEX_MD5", "4d44cc38712099c9e383dc6e5f11a921"),
    (cifar10.load_data, cifar10, "cifar10", "cifar-10-python.tar.gz",
     "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "_FILE_HASH",
     "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),
    (cifar100.load_data, cifar100, "cifar100", "cifar-100-python.tar.gz",
     "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz", "_FILE_HASH",
     "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),
    (boston_housing.load_data, boston_housing, "boston_housing", "boston_housing.npz",
     BASE + "boston_housing.npz", "_FILE_HASH",
     "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"),
    (california_housing.load_data, california_housing, "california_housing",
     "california_housing.npz", BASE + "california_housing.npz", "_FILE_HASH",
     "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"),
]
IDS = [f"{row[2]}/{row[3]}" for row in FILES]


@pytest.mark.parametrize("call, module, folder, fname, url, hash_name, keras_hash", FILES,
                         ids=IDS)
def test_offline_error_names_the_file_and_where_to_put_it(
        dataset_files, call, module, folder, fname, url, hash_name, keras_hash):
    assert getattr(module, hash_name) == keras_hash
    with pytest.raises(DatasetNotFoundError) as info:
        call()
    message = str(info.value)
    cache = dataset_files.root.parent / "home" / "datasets" / folder / fname
    for fragment in (f"Looked for {fname} at:", f"{dataset_files.root / folder / fname} (missing)",
                     f"{cache} (missing)", f"a folder <root>/{folder}/", f"put it at {cache};",
                     f"it downloads {url}.", "network is unreachable"):
        assert fragment in message
    assert isinstance(info.value, OSError)


def test_offline_error_without_lamina_datasets_says_it_is_unset(dataset_files, monkeypatch):
    monkeypatch.delenv("LAMINA_DATASETS")
    with pytest.raises(DatasetNotFoundError,
                       match=r"\$LAMINA_DATASETS/imdb/imdb.npz \(LAMINA_DATASETS is not set\)"):
        imdb.load_data()


def housing_npz(path, rows=5):
    np.savez(path, x=np.arange(rows * 13.0).reshape(rows, 13), y=np.arange(rows * 1.0))
    return path.read_bytes()


@pytest.fixture
def server(tmp_path, monkeypatch, dataset_files):
    """Serves a Boston Housing file over file://; records the URLs opened."""
    served = tmp_path / "server" / "boston_housing.npz"
    served.parent.mkdir()
    data = housing_npz(served)
    monkeypatch.setattr(boston_housing, "_URL", served.as_uri())
    monkeypatch.setattr(boston_housing, "_FILE_HASH", hashlib.sha256(data).hexdigest())
    opened = []

    def file_urlopen(url):
        opened.append(url)
        return urllib.request.urlopen(url)

    monkeypatch.setattr(_download, "_urlopen", file_urlopen)
    return opened


def test_download_is_verified_cached_and_done_once(dataset_files, server, capsys):
    (x_train, _), _ = boston_housing.load_data()
    cached = dataset_files.root.parent / "home" / "datasets" / "boston_housing"
    assert [p.name for p in cached.iterdir()] == ["boston_housing.npz"]
    assert "Downloading boston_housing.npz" in capsys.readouterr().err
    (x_again, _), _ = boston_housing.load_data()
    np.testing.assert_array_equal(x_again, x_train)
    assert len(server) == 1


def test_path_argument_places_the_cached_file(dataset_files, server, tmp_path):
    boston_housing.load_data(path="mine.npz")
    assert (dataset_files.root.parent / "home" / "datasets" / "boston_housing" / "mine.npz"
            ).is_file()
    boston_housing.load_data(path=tmp_path / "absolute.npz")
    assert (tmp_path / "absolute.npz").is_file() and len(server) == 2


def test_download_with_the_wrong_hash_keeps_nothing(dataset_files, server, monkeypatch):
    monkeypatch.setattr(boston_housing, "_FILE_HASH", "0" * 64)
    with pytest.raises(DatasetIntegrityError, match="its SHA-256 is .*, expected 0000"):
        boston_housing.load_data()
    assert list((dataset_files.root.parent / "home" / "datasets" / "boston_housing").iterdir()) \
        == []


def test_word_index_download_is_checked_with_md5(dataset_files, tmp_path, monkeypatch):
    served = tmp_path / "server" / "reuters_word_index.json"
    served.parent.mkdir()
    served.write_text('{"said": 1}')
    monkeypatch.setattr(reuters, "_BASE_URL", served.parent.as_uri() + "/")
    monkeypatch.setattr(reuters, "_WORD_INDEX_MD5", hashlib.md5(b'{"said": 1}').hexdigest())
    monkeypatch.setattr(_download, "_urlopen", urllib.request.urlopen)
    assert reuters.get_word_index() == {"said": 1}
    monkeypatch.setattr(reuters, "_WORD_INDEX_MD5", "f" * 32)
    with pytest.raises(DatasetIntegrityError, match="its MD5 is .*, expected ffff"):
        reuters.get_word_index(path="other.json")


def test_placed_and_cached_files_are_used_as_they_are(dataset_files, server):
    """Hashes guard downloads only: a user's own file is read even though it is not Keras'."""
    placed = housing_npz(dataset_files.path("boston_housing", "boston_housing.npz"), rows=10)
    assert hashlib.sha256(placed).hexdigest() != boston_housing._FILE_HASH
    (x_train, _), _ = boston_housing.load_data()
    assert len(x_train) == 8 and server == []
    (dataset_files.root / "boston_housing" / "boston_housing.npz").unlink()
    cached = dataset_files.root.parent / "home" / "datasets" / "boston_housing"
    cached.mkdir(parents=True)
    housing_npz(cached / "boston_housing.npz", rows=20)
    (x_train, _), _ = boston_housing.load_data()
    assert len(x_train) == 16 and server == []


def test_lamina_datasets_folder_comes_before_the_cache(dataset_files, server):
    housing_npz(dataset_files.path("boston_housing", "boston_housing.npz"), rows=10)
    cached = dataset_files.root.parent / "home" / "datasets" / "boston_housing"
    cached.mkdir(parents=True)
    housing_npz(cached / "boston_housing.npz", rows=20)
    (x_train, _), _ = boston_housing.load_data()
    assert len(x_train) == 8


def test_namespace_matches_keras():
    for name in ("cifar10", "cifar100", "imdb", "reuters", "boston_housing",
                 "california_housing"):
        assert callable(getattr(keras.datasets, name).load_data)
    assert callable(keras.datasets.imdb.get_word_index)
    assert callable(keras.datasets.reuters.get_label_names)
