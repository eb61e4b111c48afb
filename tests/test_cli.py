"""`lamina demo`: trains the tutorial model and prints summary, progress and test accuracy."""
import subprocess
import sys

import numpy as np

from lamina import cli


def test_demo_trains_fashion_mnist_and_reports_accuracy(capsys, monkeypatch):
    from lamina.datasets import fashion_mnist

    full_load = fashion_mnist.load_data

    def smaller(*args, **kwargs):
        (x_train, y_train), (x_test, y_test) = full_load(*args, **kwargs)
        return (x_train[:6000], y_train[:6000]), (x_test[:1000], y_test[:1000])

    monkeypatch.setattr(fashion_mnist, "load_data", smaller)
    assert cli.main(["demo", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "data: Fashion-MNIST" in out and 'Model: "demo"' in out and "Epoch 2/2" in out
    accuracy = float(out.strip().splitlines()[-1].split()[2])
    assert accuracy > 0.75


def test_demo_falls_back_to_scikit_learn_digits_offline(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LAMINA_DATASETS", str(tmp_path / "nothing"))
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("lamina.datasets._download._urlopen", _offline)
    assert cli.main(["demo", "--epochs", "3", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "data: scikit-learn digits" in out
    assert float(out.strip().splitlines()[-1].split()[2]) > 0.8


def _offline(*args, **kwargs):
    raise OSError("offline")


def test_python_dash_m_lamina_shows_usage():
    result = subprocess.run([sys.executable, "-m", "lamina", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "demo" in result.stdout
