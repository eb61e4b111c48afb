"""The learner programs in examples/ run as `python examples/<name>.py` and learn what they should.

Each runs in its own Python process on the first few thousand images of the real data (the
same program on all 60,000 takes minutes), with a fixed seed so the numbers repeat.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Runs a program as `python <program>` would, on the first n_train / n_test images.
SUBSAMPLED_RUN = """
import runpy, sys
import lamina

n_train, n_test = int(sys.argv[2]), int(sys.argv[3])
for dataset in (lamina.datasets.mnist, lamina.datasets.fashion_mnist):
    def load_data(*args, _full=dataset.load_data, **kwargs):
        (x_train, y_train), (x_test, y_test) = _full(*args, **kwargs)
        return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])
    dataset.load_data = load_data
lamina.utils.set_random_seed(0)
sys.argv = sys.argv[1:2]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_example(name: str, n_train: int, n_test: int) -> list[str]:
    program = EXAMPLES / name
    result = subprocess.run(
        [sys.executable, "-c", SUBSAMPLED_RUN, str(program), str(n_train), str(n_test)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout.splitlines()


def test_fashion_mnist_first_ann(real_data):
    _, (_, test_labels) = real_data("fashion_mnist")
    from lamina.datasets.fashion_mnist import class_names

    lines = run_example("fashion_mnist_first_ann.py", 6000, 1000)
    assert lines[0] == "train images: (6000, 28, 28) test images: (1000, 28, 28)"
    assert lines[1] == "the first training photo shows: Ankle boot"
    assert 'Model: "first_ann"' in lines
    assert " Total params: 101,770 (397.54 KB)" in lines
    assert "Epoch 5/5" in lines
    accuracy = float(next(line for line in lines if line.startswith("test accuracy:")).split()[-1])
    assert 0.75 <= accuracy <= 1
    predictions = [re.fullmatch(r"predicted (.+?) +\((\d+)% sure\), really (.+)", line)
                   for line in lines[-5:]]
    assert all(predictions), lines[-5:]
    assert [match[3] for match in predictions] == [class_names[i] for i in test_labels[:5]]
    assert all(match[1] in class_names and 10 <= int(match[2]) <= 100 for match in predictions)


def test_mnist_preprocessing_regularization(real_data):
    _, (_, test_labels) = real_data("mnist")
    lines = run_example("mnist_preprocessing_regularization.py", 6000, 1000)
    assert lines[0] == "label 5 -> [0. 0. 0. 0. 0. 1. 0. 0. 0. 0.]"
    gaps = {}
    for variant in ("plain", "l2", "dropout"):
        line = next(line for line in lines if line.lstrip().startswith(f"{variant}:"))
        train, val, gap = map(float, re.findall(r"[-+]?\d\.\d{4}", line))
        assert val > 0.85 and abs(train - val - gap) < 2e-4
        gaps[variant] = gap
    # The point of the program: both remedies shrink the train/validation gap.
    assert gaps["plain"] > max(gaps["l2"], gaps["dropout"])
    best_line = next(line for line in lines if line.startswith("best on validation:"))
    assert float(best_line.split()[-1]) > 0.88
    assert lines[-1] == "true:      " + str(test_labels[:10])
    predicted = [int(d) for d in lines[-2].removeprefix("predicted:").strip(" []").split()]
    assert sum(p == t for p, t in zip(predicted, test_labels[:10])) >= 8


def test_mnist_early_stopping_restores_the_best_epoch(real_data):
    real_data("mnist")
    lines = run_example("mnist_early_stopping.py", 6000, 1000)
    summary = re.fullmatch(r"ran (\d+) of 100 epochs; the best was epoch (\d+) with validation "
                           r"loss (\d\.\d{4})", next(line for line in lines if line.startswith("ran ")))
    epochs_run, best_epoch, best_loss = int(summary[1]), int(summary[2]), summary[3]
    assert epochs_run == best_epoch + 3 < 100
    assert f"Epoch {epochs_run}: early stopping" in lines
    assert f"Restoring model weights from the end of the best epoch: {best_epoch}." in lines
    assert f"validation loss with the restored weights: {best_loss}" in lines
    accuracy = float(next(line for line in lines if line.startswith("test accuracy:")).split()[-1])
    assert accuracy > 0.88
