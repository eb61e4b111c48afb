"""Download, verification, atomic caching, IDX checks and the missing-files error (offline)."""
import gzip
import hashlib
import io
import os
import threading
import time
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from lamina.datasets import DatasetIntegrityError, DatasetNotFoundError, _download
from lamina.datasets import fashion_mnist, mnist

IDX = _download.IDX_FILES


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_dataset(folder: Path, n_train=5, n_test=3, seed=0) -> dict:
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test),
    }
    folder.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for fname, array in arrays.items():
        data = gzip.compress(idx_bytes(array))
        (folder / fname).write_bytes(data)
        hashes[fname] = hashlib.sha256(data).hexdigest()
    return {"arrays": arrays, "hashes": hashes}


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty LAMINA_HOME, LAMINA_DATASETS unset, and a counter of URL opens."""
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAMINA_DATASETS", raising=False)
    opened = []
    real_urlopen = _download._urlopen

    def counting_urlopen(url):
        opened.append(url)
        return real_urlopen(url)

    monkeypatch.setattr(_download, "_urlopen", counting_urlopen)
    return tmp_path / "home" / "datasets", opened


@pytest.fixture
def fashion_server(tmp_path, monkeypatch):
    served = write_idx_dataset(tmp_path / "server")
    monkeypatch.setattr(fashion_mnist, "_BASE_URL", (tmp_path / "server").as_uri() + "/")
    monkeypatch.setattr(fashion_mnist, "_FILE_HASHES", served["hashes"])
    return served


def offline(url):
    raise urllib.error.URLError("network is unreachable")


def assert_split_equal(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28)


def test_download_verifies_caches_and_shows_progress(home, fashion_server, capsys):
    cache, opened = home
    assert_split_equal(fashion_mnist.load_data(), fashion_server["arrays"])
    assert len(opened) == 4
    assert sorted(p.name for p in (cache / "fashion_mnist").iterdir()) == sorted(IDX)
    assert "Downloading train-images-idx3-ubyte.gz" in capsys.readouterr().err
    umask = os.umask(0)
    os.umask(umask)
    assert (cache / "fashion_mnist" / IDX[0]).stat().st_mode & 0o777 == 0o666 & ~umask
    assert_split_equal(fashion_mnist.load_data(), fashion_server["arrays"])
    assert len(opened) == 4, "the second call must read the cache, not download again"


def test_partial_cache_downloads_only_missing_files(home, fashion_server):
    cache, opened = home
    fashion_mnist.load_data()
    (cache / "fashion_mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    fashion_mnist.load_data()
    assert opened[4:] == [fashion_mnist._BASE_URL + "t10k-labels-idx1-ubyte.gz"]


def test_hash_mismatch_raises_and_keeps_nothing(home, fashion_server, monkeypatch):
    cache, _ = home
    wrong = dict(fashion_server["hashes"], **{"train-images-idx3-ubyte.gz": "0" * 64})
    monkeypatch.setattr(fashion_mnist, "_FILE_HASHES", wrong)
    with pytest.raises(DatasetIntegrityError, match="SHA-256 is .* expected 0000"):
        fashion_mnist.load_data()
    assert not (cache / "fashion_mnist" / "train-images-idx3-ubyte.gz").exists()
    assert not [p for p in (cache / "fashion_mnist").iterdir() if p.name.endswith(".part")]


class BrokenResponse(io.BytesIO):
    """Serves one chunk, then fails as a dropped connection does."""

    headers = {"Content-Length": "10000000"}

    def read(self, size=-1):
        if self.tell():
            raise ConnectionResetError("connection reset by peer")
        return super().read(size)


def test_interrupted_download_leaves_no_partial_file(home, monkeypatch):
    cache, _ = home
    monkeypatch.setattr(_download, "_urlopen", lambda url: BrokenResponse(b"x" * 100))
    target = cache / "sub" / "file.gz"
    with pytest.raises(ConnectionResetError):
        _download.fetch("https://example.invalid/file.gz", "0" * 64, target)
    assert list(target.parent.iterdir()) == []


def test_offline_without_files_says_what_to_do(home, monkeypatch):
    cache, _ = home
    monkeypatch.setattr(_download, "_urlopen", offline)
    with pytest.raises(DatasetNotFoundError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert isinstance(info.value, OSError)
    for fragment in (*IDX, "LAMINA_DATASETS", str(cache / "fashion_mnist"),
                     "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
                     "train-images-idx3-ubyte.gz", "network is unreachable"):
        assert fragment in message


def test_mnist_offline_error_names_npz_and_partial_folder(home, monkeypatch, tmp_path):
    cache, _ = home
    partial = tmp_path / "data" / "mnist"
    write_idx_dataset(partial)
    (partial / "t10k-images-idx3-ubyte.gz").unlink()
    monkeypatch.setenv("LAMINA_DATASETS", str(tmp_path / "data"))
    monkeypatch.setattr(_download, "_urlopen", offline)
    with pytest.raises(DatasetNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    assert f"{partial}/ (missing: t10k-images-idx3-ubyte.gz)" in message
    assert str(cache / "mnist.npz") in message
    assert mnist._URL in message


def test_mnist_downloads_npz_once(home, tmp_path, monkeypatch):
    _, opened = home
    rng = np.random.default_rng(1)
    arrays = {"x_train": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 4, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 2, dtype=np.uint8)}
    npz = tmp_path / "served.npz"
    np.savez(npz, **arrays)
    monkeypatch.setattr(mnist, "_URL", npz.as_uri())
    monkeypatch.setattr(mnist, "_FILE_HASH", hashlib.sha256(npz.read_bytes()).hexdigest())
    target = tmp_path / "elsewhere" / "my_mnist.npz"
    for _ in range(2):
        (x_train, y_train), (x_test, y_test) = mnist.load_data(path=target)
        np.testing.assert_array_equal(x_train, arrays["x_train"])
        np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert target.is_file() and len(opened) == 1


def test_lamina_datasets_folder_comes_before_cache(home, tmp_path, monkeypatch):
    cache, opened = home
    local = write_idx_dataset(tmp_path / "data" / "mnist", seed=2)
    write_idx_dataset(cache / "mnist", seed=3)
    monkeypatch.setenv("LAMINA_DATASETS", str(tmp_path / "data"))
    assert_split_equal(mnist.load_data(), local["arrays"])
    monkeypatch.delenv("LAMINA_DATASETS")
    cached = write_idx_dataset(cache / "mnist", seed=3)
    assert_split_equal(mnist.load_data(), cached["arrays"])
    assert opened == []


@pytest.mark.parametrize("damage, fragment", [
    (lambda data: data[: len(data) // 2], "ends early"),
    (lambda data: b"not gzip at all", "not a valid gzip file"),
    (lambda data: gzip.compress(gzip.decompress(data)[:-7]),
     r"shape \(5, 28, 28\) \(3920 bytes\) but it holds 3913 bytes"),
    (lambda data: gzip.compress(b"\x00\x00\x08\x01" + gzip.decompress(data)[4:]),
     "magic number is 2049, expected 2051"),
])
def test_damaged_idx_file_is_named_in_the_error(tmp_path, damage, fragment):
    write_idx_dataset(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(DatasetIntegrityError, match=fragment) as info:
        _download.read_idx_dataset(tmp_path)
    assert str(path) in str(info.value)


def test_images_and_labels_of_different_lengths_are_rejected(tmp_path):
    write_idx_dataset(tmp_path, n_train=5)
    write_idx_dataset(tmp_path / "other", n_train=6)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(
        (tmp_path / "other" / "train-labels-idx1-ubyte.gz").read_bytes())
    with pytest.raises(DatasetIntegrityError, match="5 images but .* 6 labels"):
        _download.read_idx_dataset(tmp_path)


def test_multi_member_gzip_is_read_whole(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    raw = idx_bytes(labels)
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(raw[:9]) + gzip.compress(raw[9:]))
    np.testing.assert_array_equal(_download.read_idx(path, ndim=1), labels)


def test_cache_folder_follows_lamina_home(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    assert _download.datasets_home() == tmp_path / "datasets"
    monkeypatch.delenv("LAMINA_HOME")
    assert _download.datasets_home() == Path.home() / ".lamina" / "datasets"


@pytest.fixture
def stalling_server(monkeypatch):
    """A local HTTP server: /stall sends 150 kB of a 1 MB file, then nothing; /silent never answers.

    The client reads 64 KiB chunks, so two whole chunks (0.13 MB) arrive before the stall.
    """
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/stall"):
                self.send_response(200)
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                self.wfile.write(b"x" * 150_000)
                self.wfile.flush()
            release.wait(10)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("LAMINA_DOWNLOAD_TIMEOUT", "0.5")
    yield f"http://127.0.0.1:{server.server_port}"
    release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def test_stalled_download_gives_up_soon_with_progress_and_keeps_nothing(home, stalling_server, capsys):
    cache, _ = home
    target = cache / "stalled" / "file.gz"
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        _download.fetch(stalling_server + "/stall", "0" * 64, target)
    assert time.monotonic() - started < 3
    assert str(info.value) == (
        f"The download of {stalling_server}/stall stalled: nothing arrived for 0.5 s after "
        f"0.1 MB. Nothing was kept; check the connection and try again "
        f"(LAMINA_DOWNLOAD_TIMEOUT sets how long to wait).")
    assert list(target.parent.iterdir()) == []
    progress = capsys.readouterr().err
    assert "Downloading file.gz: [" in progress and "0.0/1.0 MB   0%" in progress
    assert "0.1/1.0 MB  13%" in progress and progress.endswith("\n")


def test_server_that_never_answers_times_out(home, stalling_server):
    with pytest.raises(TimeoutError, match=r"server of http://127\.0\.0\.1:\d+/silent did not "
                                           r"answer within 0\.5 s\. Check the connection"):
        _download.fetch(stalling_server + "/silent", None, home[0] / "silent.bin")


def test_stalled_dataset_download_explains_in_load_data_error(home, stalling_server, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "_BASE_URL", stalling_server + "/stall?")
    with pytest.raises(DatasetNotFoundError, match="could not be downloaded \\(The download of "
                                                   ".* stalled: nothing arrived for 0.5 s"):
        fashion_mnist.load_data()


@pytest.mark.parametrize("setting", ["0", "-1", "soon", "nan"])
def test_download_timeout_must_be_a_positive_number(monkeypatch, setting):
    monkeypatch.setenv("LAMINA_DOWNLOAD_TIMEOUT", setting)
    with pytest.raises(ValueError, match=f"LAMINA_DOWNLOAD_TIMEOUT must be a positive number of "
                                         f"seconds, received '{setting}'. Unset it for the "
                                         f"default of 5 s."):
        _download.download_timeout()


def test_download_timeout_default_and_setting(monkeypatch):
    monkeypatch.delenv("LAMINA_DOWNLOAD_TIMEOUT", raising=False)
    assert _download.download_timeout() == 5.0
    monkeypatch.setenv("LAMINA_DOWNLOAD_TIMEOUT", "12.5")
    assert _download.download_timeout() == 12.5


def test_lamina_datasets_problem_names_what_is_wrong(tmp_path, monkeypatch):
    monkeypatch.delenv("LAMINA_DATASETS", raising=False)
    assert _download.lamina_datasets_problem("mnist") is None
    root = tmp_path / "data"
    monkeypatch.setenv("LAMINA_DATASETS", str(root))
    assert _download.lamina_datasets_problem("mnist") == (
        f"LAMINA_DATASETS={root} is set, but that folder does not exist.")
    root.mkdir()
    assert _download.lamina_datasets_problem("mnist") == (
        f"LAMINA_DATASETS={root} is set, but it has no mnist/ folder.")
    write_idx_dataset(root / "mnist")
    assert _download.lamina_datasets_problem("mnist") is None
    (root / "mnist" / IDX[1]).unlink()
    assert _download.lamina_datasets_problem("mnist") == (
        f"LAMINA_DATASETS={root} is set, but {root / 'mnist'}/ lacks {IDX[1]}.")
    write_idx_dataset(root / "fashion_mnist")
    monkeypatch.setenv("LAMINA_DATASETS", str(root / "fashion_mnist"))
    assert _download.lamina_datasets_problem("fashion_mnist") == (
        f"LAMINA_DATASETS={root / 'fashion_mnist'} holds the IDX files itself, but it must name "
        f"the folder above the dataset folders, the one holding fashion_mnist/: e.g. "
        f"LAMINA_DATASETS={root} when {root / 'fashion_mnist'} is the fashion_mnist folder.")


def test_offline_error_says_when_lamina_datasets_names_the_dataset_folder(home, tmp_path, monkeypatch):
    write_idx_dataset(tmp_path / "fashion_mnist")
    monkeypatch.setenv("LAMINA_DATASETS", str(tmp_path / "fashion_mnist"))
    monkeypatch.setattr(_download, "_urlopen", offline)
    with pytest.raises(DatasetNotFoundError) as info:
        fashion_mnist.load_data()
    lines = str(info.value).splitlines()
    assert f"  {tmp_path / 'fashion_mnist' / 'fashion_mnist'}/ (does not exist)" in lines
    assert any(line.startswith(f"LAMINA_DATASETS={tmp_path / 'fashion_mnist'} holds the IDX "
                               f"files itself") for line in lines)
