"""The programs in docs/tutorials/ run as `python docs/tutorials/<name>.py` and do what their
pages say, each in an empty folder of its own, on the first few hundred images of the data.

The program is not edited: the subsampling wraps `load_data` before the program runs, as
tests/tutorials does for examples/. IMDB comes from a small file in Keras' imdb.npz format
written by the test, so the RNN tutorial runs on a machine without the real data.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
N_TRAIN, N_TEST = 600, 200

# Runs a program as `python <program>` would, on the first n_train / n_test samples.
SUBSAMPLED_RUN = """
import runpy, sys
import lamina

n_train, n_test = int(sys.argv[2]), int(sys.argv[3])
for dataset in (lamina.datasets.mnist, lamina.datasets.fashion_mnist, lamina.datasets.imdb):
    def load_data(*args, _full=dataset.load_data, **kwargs):
        (x_train, y_train), (x_test, y_test) = _full(*args, **kwargs)
        return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])
    dataset.load_data = load_data
sys.argv = sys.argv[1:2]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_tutorial(name: str, folder: Path, **env) -> list[str]:
    environment = {**os.environ, "MPLBACKEND": "Agg", **env}
    result = subprocess.run(
        [sys.executable, "-c", SUBSAMPLED_RUN, str(TUTORIALS / name), str(N_TRAIN), str(N_TEST)],
        cwd=folder, env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, (f"{name} failed:\n{result.stdout[-3000:]}\n"
                                    f"{result.stderr[-3000:]}")
    return result.stdout.splitlines()


def assert_picture(path: Path) -> None:
    assert path.is_file(), f"{path.name} was not saved"
    image = np.asarray(Image.open(path).convert("RGB"))
    assert min(image.shape[:2]) >= 200 and path.stat().st_size > 2000
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 10, f"{path.name} is one flat colour"


def number_after(prefix: str, lines: list[str]) -> float:
    line = next(line for line in lines if line.startswith(prefix))
    return float(re.search(r"[-+]?\d*\.\d+", line[len(prefix):])[0])


def test_every_tutorial_has_a_page_and_a_test():
    programs = sorted(p.stem for p in TUTORIALS.glob("[0-9][0-9]_*.py"))
    assert programs == ["01_first_ann", "02_deeper_nets_optimizers", "03_overfitting",
                        "04_saving_checkpoints", "05_cnn", "06_rnn_imdb"]
    for stem in programs:
        page = (TUTORIALS / f"{stem}.md").read_text()
        assert f"({stem}.py)" in page and "<!-- output -->" in page and "<!-- /output -->" in page
        for picture in re.findall(r"\]\((images/[^)]+\.png)\)", page):
            assert (TUTORIALS / picture).is_file(), f"{stem}.md shows a missing {picture}"


def test_01_first_ann(tmp_path, real_data):
    real_data("fashion_mnist")
    lines = run_tutorial("01_first_ann.py", tmp_path)
    assert lines[:3] == ["train images: (600, 28, 28) labels: (600,)",
                         "test images:  (200, 28, 28) labels: (200,)",
                         "the first training photo shows: Ankle boot"]
    assert "  dense: Dense: 784 inputs × 100 units + 100 biases = 78,500" in lines
    assert "Epoch 5/5" in lines
    assert 0.5 < number_after("test accuracy:", lines) <= 1
    assert all(re.fullmatch(r"predicted .+ \(\d+% sure\), really .+", line) for line in lines[-5:])
    for name in ("samples.png", "predictions.png", "confusion_matrix.png"):
        assert_picture(tmp_path / name)


def test_02_deeper_nets_optimizers(tmp_path, real_data):
    real_data("fashion_mnist")
    lines = run_tutorial("02_deeper_nets_optimizers.py", tmp_path)
    assert " Total params: 266,610 (1.02 MB)" in lines
    results = [line for line in lines if "validation accuracy by epoch:" in line]
    assert [line.split("  ")[0].strip() for line in results] == [
        "SGD", "SGD + momentum", "RMSprop", "Adam"]
    assert all(len(line.split(":")[1].split("test")[0].split()) == 5 for line in results)
    assert_picture(tmp_path / "optimizers.png")


def test_03_overfitting(tmp_path, real_data):
    real_data("fashion_mnist")
    lines = run_tutorial("03_overfitting.py", tmp_path)
    first = lines[lines.index("== 1. a big network on 2 000 images, 40 epochs") + 1]
    assert first == "Diagnosis: overfitting"
    assert re.fullmatch(r"stopped after \d+ epochs; best validation loss \d\.\d{4}",
                        next(line for line in lines if line.startswith("stopped after")))
    assert lines.count("Remedies, most effective first:") >= 1
    assert_picture(tmp_path / "overfitting.png")
    assert_picture(tmp_path / "regularized.png")


def test_04_saving_checkpoints_the_tf2_book_flow(tmp_path, real_data):
    real_data("fashion_mnist")
    lines = run_tutorial("04_saving_checkpoints.py", tmp_path)
    assert "dict_keys(['accuracy', 'loss', 'val_accuracy', 'val_loss'])" in lines
    assert 0.5 < float(next(line for line in lines if re.fullmatch(r"0\.\d+", line))) <= 1
    for name in ("model-weights.h5", "model-whole.h5", "best-model.h5"):
        assert (tmp_path / name).stat().st_size > 10_000
    stopped = [line for line in lines if re.fullmatch(r"\d+", line)]
    assert len(stopped) == 1 and 1 <= int(stopped[0]) < 20
    assert_picture(tmp_path / "dropout-curve.png")
    assert_picture(tmp_path / "early-stopping-curve.png")


def test_05_cnn(tmp_path, real_data):
    real_data("fashion_mnist")
    lines = run_tutorial("05_cnn.py", tmp_path)
    assert "  conv2d: Conv2D: 3 × 3 kernel × 1 channel × 32 filters + 32 biases = 320" in lines
    assert any("⌈28 / 1⌉ = 28 ('same' padding)" in line for line in lines)
    assert 0.3 < number_after("test accuracy:", lines) <= 1
    for name in ("cnn.png", "cnn_curves.png", "cnn_predictions.png"):
        assert_picture(tmp_path / name)


@pytest.fixture
def imdb_fixture(tmp_path):
    """A small imdb.npz in Keras' format: ragged word-index lists; word 5 marks a good review."""
    rng = np.random.default_rng(0)

    def reviews(count):
        labels = rng.integers(0, 2, count)
        texts = np.empty(count, dtype=object)
        for i, label in enumerate(labels):
            words = rng.integers(1, 700, rng.integers(20, 160))
            words[rng.random(len(words)) < 0.2] = 5 if label else 9
            texts[i] = words.tolist()
        return texts, labels

    (x_train, y_train), (x_test, y_test) = reviews(400), reviews(200)
    root = tmp_path / "datasets"
    (root / "imdb").mkdir(parents=True)
    np.savez(root / "imdb" / "imdb.npz", x_train=x_train, y_train=y_train, x_test=x_test,
             y_test=y_test)
    return root


def test_06_rnn_imdb(tmp_path, imdb_fixture):
    work = tmp_path / "work"
    work.mkdir()
    lines = run_tutorial("06_rnn_imdb.py", work, LAMINA_DATASETS=str(imdb_fixture),
                         LAMINA_HOME=str(tmp_path / "home"))
    assert lines[0] == "reviews: (400,) (200,)"
    assert "padded: (320, 100)" in lines
    assert "  embedding: Embedding: 500 words × 16 dims = 8,000" in lines
    for name in ("simple_rnn", "lstm"):
        result = next(line for line in lines if line.startswith(f"{name}: "))
        assert re.fullmatch(rf"{name}: \d+ epochs, best validation loss \d\.\d{{4}}, test "
                            rf"accuracy (0\.\d{{4}}|1\.0000)", result)
        assert_picture(work / f"{name}.png")
