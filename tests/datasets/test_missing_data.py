"""Without the real data, the tests and examples that need it fail with load_data()'s advice."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lamina.datasets import _download

REPO = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_data_anywhere(tmp_path, monkeypatch):
    """An environment with no dataset folder, an empty cache and every download refused."""
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env.update(LAMINA_DATASETS=str(tmp_path / "datasets"), LAMINA_HOME=str(tmp_path / "home"),
               https_proxy=f"http://127.0.0.1:{closed_port()}")
    return env


def test_real_data_fixture_fails_with_load_data_message(real_data, tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_DATASETS", str(tmp_path / "datasets"))
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(_download, "_urlopen", lambda url: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(pytest.fail.Exception) as info:
        real_data("mnist")
    message = str(info.value)
    assert message.startswith("This test needs the real mnist data, and load_data() could not "
                              "get it:\nMNIST is not on this machine and could not be downloaded "
                              "(offline).")
    assert f"{tmp_path / 'datasets' / 'mnist'}/ (does not exist)" in message
    assert "set the environment variable LAMINA_DATASETS=<root>" in message
    assert not info.value.pytrace and info.value.__context__ is None, \
        "the message alone, not a traceback from inside load_data()"


def test_suite_without_data_fails_each_test_with_where_to_put_the_files(no_data_anywhere):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rf",
         "src/lamina/datasets/fashion_mnist.py",
         "tests/datasets/test_datasets.py::test_shapes_and_dtypes"],
        cwd=REPO, env=no_data_anywhere, capture_output=True, text=True, timeout=300)
    out = result.stdout
    assert result.returncode == 1, out
    assert "4 failed" in out.splitlines()[-1], out[-2000:]
    assert out.count("This test needs the real fashion_mnist data, and load_data() could not "
                     "get it:") >= 3
    assert out.count("This test needs the real mnist data") >= 1
    assert "put the four original files in a folder <root>/fashion_mnist/ and set the " \
           "environment variable LAMINA_DATASETS=<root>" in out
    assert "Traceback" not in out and "_download.py:" not in out, out[-3000:]
