"""The learner tutorials in ../shared/tutorials run unchanged and reach Keras-level accuracy."""
import ast
import runpy
from pathlib import Path

import numpy as np
import pytest

import lamina

TUTORIALS = Path(__file__).resolve().parents[2].parent / "shared" / "tutorials"


def run_tutorial(name: str, capsys) -> list[str]:
    runpy.run_path(str(TUTORIALS / name), run_name="__main__")
    return capsys.readouterr().out.splitlines()


def test_01_fashion_mnist_ann_reaches_keras_accuracy(capsys):
    lines = run_tutorial("01_fashion_mnist_ann.py", capsys)
    assert lines[0] == "(60000, 28, 28) (60000,) (10000, 28, 28) (10000,)"
    assert 'Model: "패션 MNIST 모델"' in lines
    assert any(" Total params: 79,510 (310.59 KB)" == line for line in lines)
    loss, accuracy = ast.literal_eval(lines[-1])
    assert accuracy >= 0.87, f"final Adam model reached {accuracy:.4f} validation accuracy"
    assert 0.2 < loss < 0.4


def test_02_mnist_preprocess_regularize(capsys):
    lines = run_tutorial("02_mnist_preprocess_regularize.py", capsys)
    assert "['accuracy', 'loss', 'val_accuracy', 'val_loss']" in lines
    accuracy = float(next(l for l in lines if l.startswith("test accuracy")).split()[-1])
    assert accuracy >= 0.93
    assert lines[-1].startswith("(5, 10) [7 2 1 0 4] [7 2 1 0 4]")


def test_03_early_stopping_on_subsampled_mnist(capsys, monkeypatch):
    full_load = lamina.datasets.mnist.load_data

    def subsampled_load_data(*args, **kwargs):
        (x_train, y_train), (x_test, y_test) = full_load(*args, **kwargs)
        return (x_train[:6000], y_train[:6000]), (x_test[:2000], y_test[:2000])

    monkeypatch.setattr(lamina.datasets.mnist, "load_data", subsampled_load_data)
    lines = run_tutorial("03_mnist_early_stopping.py", capsys)
    stop_line = next(l for l in lines if l.startswith("stopped at epoch"))
    stopped_epoch, epochs_run = int(stop_line.split()[3]), int(stop_line.split()[-1])
    assert 0 < stopped_epoch < 49 and epochs_run == stopped_epoch + 1
    assert f"Epoch {stopped_epoch + 1}: early stopping" in lines
    assert any(l.startswith("Restoring model weights from the end of the best epoch: ") for l in lines)
    loss, accuracy = ast.literal_eval(lines[-1])
    assert accuracy >= 0.93
