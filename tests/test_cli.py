"""The `lamina` command: help, version, argument checks, and `lamina demo` with and without data."""
import gzip
import hashlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import lamina
from lamina import cli
from lamina.datasets import _download, fashion_mnist


def test_demo_trains_fashion_mnist_and_reports_accuracy(capsys, monkeypatch, real_data):
    (x_train, y_train), (x_test, y_test) = real_data("fashion_mnist")
    monkeypatch.setattr(fashion_mnist, "load_data",
                        lambda: ((x_train[:6000], y_train[:6000]), (x_test[:1000], y_test[:1000])))
    assert cli.main(["demo", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "data: Fashion-MNIST" in out and 'Model: "demo"' in out and "Epoch 2/2" in out
    accuracy = float(out.strip().splitlines()[-1].split()[2])
    assert accuracy > 0.75


def _offline(url):
    raise OSError("offline")


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """LAMINA_DATASETS names a missing folder, the cache is empty and downloads fail."""
    monkeypatch.setenv("LAMINA_DATASETS", str(tmp_path / "nothing"))
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(_download, "_urlopen", _offline)
    return tmp_path


def test_demo_offline_says_why_it_falls_back_to_digits(capsys, nowhere):
    assert cli.main(["demo", "--epochs", "3", "--verbose", "0"]) == 0
    captured = capsys.readouterr()
    assert "data: scikit-learn digits" in captured.out
    assert float(captured.out.strip().splitlines()[-1].split()[2]) > 0.8
    err = captured.err.splitlines()
    assert err[0] == (f"Note: LAMINA_DATASETS={nowhere / 'nothing'} is set, but that folder does "
                      f"not exist. Looking in the cache, then online.")
    assert err[1] == "Training on scikit-learn's 8x8 digits instead of Fashion-MNIST, because:"
    assert err[2] == ("Fashion-MNIST is not on this machine and could not be downloaded "
                      "(offline).")
    assert ("  - put the four original files in a folder <root>/fashion_mnist/ and set the "
            "environment variable LAMINA_DATASETS=<root>;") in err


def _write_fashion_files(folder, damaged=None):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    hashes = {}
    for fname in _download.IDX_FILES:
        count = 10 if fname.startswith("train") else 4
        array = (rng.integers(0, 256, (count, 28, 28)) if "images" in fname
                 else rng.integers(0, 10, count)).astype(np.uint8)
        header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        data = gzip.compress(header + array.tobytes())
        (folder / fname).write_bytes(data[:20] if fname == damaged else data)
        hashes[fname] = hashlib.sha256(data).hexdigest()
    return hashes


def test_demo_says_when_lamina_datasets_is_unusable_even_if_a_download_works(
        capsys, tmp_path, monkeypatch):
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("LAMINA_DATASETS", str(root))
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(fashion_mnist, "_FILE_HASHES", _write_fashion_files(tmp_path / "server"))
    monkeypatch.setattr(fashion_mnist, "_BASE_URL", (tmp_path / "server").as_uri() + "/")
    assert cli.main(["demo", "--epochs", "1", "--verbose", "0"]) == 0
    captured = capsys.readouterr()
    assert "data: Fashion-MNIST" in captured.out
    assert captured.err.splitlines()[0] == (
        f"Note: LAMINA_DATASETS={root} is set, but it has no fashion_mnist/ folder. Looking in "
        f"the cache, then online.")
    assert "Downloading train-images-idx3-ubyte.gz" in captured.err


def test_demo_with_a_damaged_file_falls_back_and_names_the_file(capsys, tmp_path, monkeypatch):
    _write_fashion_files(tmp_path / "data" / "fashion_mnist", damaged="t10k-images-idx3-ubyte.gz")
    monkeypatch.setenv("LAMINA_DATASETS", str(tmp_path / "data"))
    assert cli.main(["demo", "--epochs", "1", "--verbose", "0"]) == 0
    captured = capsys.readouterr()
    assert "data: scikit-learn digits" in captured.out
    assert captured.err.splitlines()[:2] == [
        "Training on scikit-learn's 8x8 digits instead of Fashion-MNIST, because:",
        (f"{tmp_path / 'data' / 'fashion_mnist' / 't10k-images-idx3-ubyte.gz'} ends early: the gzip "
        f"stream is truncated (an interrupted copy or download?). Replace it with the original file.")]


def test_demo_without_data_or_scikit_learn_exits_with_both_reasons(nowhere, monkeypatch):
    for module in ("sklearn", "sklearn.datasets"):
        monkeypatch.setitem(sys.modules, module, None)  # None in sys.modules: import fails
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--epochs", "1"])
    message = str(info.value.code)
    assert message.startswith("lamina demo needs Fashion-MNIST or, in its place, scikit-learn's "
                              "digits (pip install scikit-learn), and has neither.\nFashion-MNIST "
                              "is not on this machine and could not be downloaded (offline).")


@pytest.mark.parametrize("epochs, received", [("0", "0"), ("-3", "-3"), ("2.5", "'2.5'"),
                                              ("many", "'many'")])
def test_demo_epochs_must_be_a_whole_number_at_least_1(capsys, epochs, received):
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--epochs", epochs])
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"lamina demo: error: argument --epochs: expected a whole number of epochs, at least 1, "
        f"received {received}")


def test_lamina_alone_prints_help_and_succeeds(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: lamina [-h] [--version] COMMAND ...")
    assert "demo" in out and "train the Fashion-MNIST tutorial model" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"lamina {lamina.__version__}\n"


def test_demo_help_names_the_data_source_the_fallback_and_lamina_datasets(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for fragment in ("Data: Fashion-MNIST, read from $LAMINA_DATASETS/fashion_mnist/",
                     f"else from the cache {tmp_path / 'datasets' / 'fashion_mnist'}/",
                     "else downloaded into that cache once",
                     ("Fallback: when none of these works, the demo says why and trains on "
                     "scikit-learn's bundled 8x8 digits instead"),
                     "--epochs EPOCHS training epochs, at least 1 (default 5)"):
        assert fragment in text


@pytest.mark.parametrize("arguments, expected",
                         [([], "usage: lamina"), (["--version"], f"lamina {lamina.__version__}")])
def test_python_dash_m_lamina(arguments, expected):
    result = subprocess.run([sys.executable, "-m", "lamina", *arguments], check=False,
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith(expected), result.stderr


@pytest.fixture
def small_fashion_mnist(monkeypatch, real_data):
    """The demo trains on 2 000 Fashion-MNIST images and tests on 500 (seconds, not minutes)."""
    (x_train, y_train), (x_test, y_test) = real_data("fashion_mnist")
    monkeypatch.setattr(fashion_mnist, "load_data",
                        lambda: ((x_train[:2000], y_train[:2000]), (x_test[:500], y_test[:500])))


def _picture(path):
    image = np.asarray(Image.open(path).convert("RGB"))
    assert path.stat().st_size > 2000
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 10, f"{path.name} is one flat colour"
    return image


def test_demo_plot_saves_curves_predictions_and_the_diagram(capsys, tmp_path, small_fashion_mnist):
    out = tmp_path / "pictures"
    assert cli.main(["demo", "--epochs", "2", "--verbose", "0", "--plot", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index(f"Pictures saved in {out.resolve()}:")
    assert [line.split()[0] for line in lines[start + 1:start + 4]] == [
        "learning_curves.png", "predictions.png", "model.png"]
    curves = _picture(out / "learning_curves.png")
    assert curves.shape[1] > curves.shape[0]  # two panels side by side: loss and accuracy
    assert min(_picture(out / "predictions.png").shape[:2]) > 300  # a 5 x 5 grid
    assert _picture(out / "model.png").shape[0] > 200
    assert lines[-1].startswith("test accuracy:")


def test_demo_plot_defaults_to_the_current_folder(capsys, tmp_path, monkeypatch, small_fashion_mnist):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo", "--epochs", "1", "--verbose", "0", "--plot"]) == 0
    assert f"Pictures saved in {tmp_path.resolve()}:" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "learning_curves.png", "model.png", "predictions.png"]


def test_demo_plot_without_matplotlib_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--plot", "--out", str(tmp_path)])
    assert info.value.code == ('lamina demo --plot needs matplotlib, which is not installed. '
                               'Install it with `pip install "lamina[plot]"` (or `pip install '
                               'matplotlib`).')
    assert list(tmp_path.iterdir()) == []


def test_demo_explain_prints_the_formulas_and_the_diagnosis(capsys, small_fashion_mnist):
    assert cli.main(["demo", "--epochs", "2", "--verbose", "0", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "Where the parameters come from:" in out
    assert "Dense: 784 inputs × 100 units + 100 biases = 78,500" in out
    assert "Dense: 100 inputs × 10 units + 10 biases = 1,010" in out
    assert "Flatten: 28 × 28 = 784 values per sample, no weights = 0" in out
    diagnosis = out[out.index("Diagnosis: "):].splitlines()
    assert diagnosis[0].removeprefix("Diagnosis: ") in (
        "overfitting", "underfitting", "good fit", "too noisy to say")
    assert diagnosis[1].startswith("  - ")


def test_demo_help_lists_plot_out_and_explain(capsys):
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--plot save the learning curves, a grid of test predictions and the model diagram" in text
    assert "--out FOLDER where --plot saves its pictures (default: the current folder)" in text
    assert "--explain explain each layer's parameter count and diagnose the run" in text
