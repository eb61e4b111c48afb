"""plot_history, show_images and save_figure: Figure contents, PNG files, clear errors."""
import os
import subprocess
import sys
import types

import numpy as np
import pytest
from PIL import Image

import lamina as keras
from lamina.utils import plotting
from lamina.utils.learning_curves import LearningCurves, higher_is_better

pyplot = pytest.importorskip("matplotlib.pyplot")

HISTORY = {"accuracy": [0.5, 0.7, 0.8], "loss": [0.9, 0.5, 0.4],
           "val_accuracy": [0.4, 0.6, 0.55], "val_loss": [1.0, 0.7, 0.8]}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    pyplot.close("all")


def labels(axis):
    return [line.get_label() for line in axis.get_lines()]


def png_pixels(path):
    with Image.open(path) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def test_keras_utils_plot_history_is_the_alias():
    assert keras.utils.plot_history is plotting.plot_history
    assert keras.utils.show_images is plotting.show_images


def test_metrics_name_panels_and_val_names_select_the_same_panel():
    figure = plotting.plot_history(HISTORY, metrics=["val_accuracy", "loss", "accuracy"])
    assert [axis.get_title() for axis in figure.axes] == ["accuracy", "loss"]
    assert [axis.get_title() for axis in plotting.plot_history(HISTORY, "loss").axes] == ["loss"]


def test_unknown_or_per_class_metrics_are_refused_with_what_exists():
    with pytest.raises(ValueError) as raised:
        plotting.plot_history(HISTORY, metrics=["acc"])
    assert str(raised.value) == ("Argument `metrics` names 'acc', which the history does not "
                                 "hold. It holds: ['loss', 'accuracy'].")
    per_class = {"loss": [0.9, 0.5], "f1_score": [np.array([0.1, 0.2]), np.array([0.3, 0.4])]}
    with pytest.raises(ValueError, match=r"'f1_score' holds one array per epoch \(a value per "
                                         r"class\), not a number; plot one of \['loss'\]"):
        plotting.plot_history(per_class, metrics="f1_score")
    assert [axis.get_title() for axis in plotting.plot_history(per_class).axes] == ["loss"]
    with pytest.raises(ValueError, match=r"must name at least one of \['loss', 'accuracy'\]"):
        plotting.plot_history(HISTORY, metrics=[])


def test_learning_rate_is_not_a_default_panel_and_has_no_best_marker():
    history = {"learning_rate": [0.01, 0.01, 0.001], "loss": [0.9, 0.5, 0.4]}
    assert [axis.get_title() for axis in plotting.plot_history(history).axes] == ["loss"]
    figure = plotting.plot_history(history, metrics="learning_rate")
    assert labels(figure.axes[0]) == ["training"]


def test_an_exploding_loss_is_drawn_on_a_log_axis():
    figure = plotting.plot_history({"loss": [2.3, 40.0, 900.0, float("nan")]})
    assert figure.axes[0].get_yscale() == "log"
    assert plotting.plot_history(HISTORY).axes[0].get_yscale() == "linear"
    to_zero = plotting.plot_history({"loss": [2.0, 0.1, 0.001, 0.0004]})
    assert to_zero.axes[0].get_yscale() == "linear"


def test_validation_freq_values_sit_at_their_epochs():
    history = {"loss": [1.0, 0.7, 0.5, 0.4, 0.3, 0.2], "val_loss": [0.8, 0.6, 0.7]}
    axis = plotting.plot_history(history).axes[0]
    validation = next(line for line in axis.get_lines() if line.get_label() == "validation")
    assert validation.get_xdata().tolist() == [2, 4, 6]
    assert "best epoch 4 (val_loss 0.6)" in labels(axis)


def test_a_keras_history_stopped_by_a_callback_is_marked():
    # Keras' History has no stopped_epoch; its model's stop_training flag tells.
    keras_history = types.SimpleNamespace(history={"loss": [0.9, 0.5, 0.6]}, epoch=[4, 5, 6],
                                          model=types.SimpleNamespace(stop_training=True))
    curves = LearningCurves.from_history(keras_history)
    assert curves.stopped_epoch == 7 and curves.epochs["loss"].tolist() == [5, 6, 7]
    axis = plotting.plot_history(keras_history).axes[0]
    assert labels(axis) == ["training", "best epoch 6 (loss 0.5)", "stopped at epoch 7"]


def test_higher_is_better_follows_early_stopping_auto_mode():
    assert [higher_is_better(name) for name in
            ("loss", "val_loss", "accuracy", "val_sparse_categorical_accuracy", "auc", "mae",
             "mean_squared_error")] == [False, False, True, True, True, False, False]


def test_save_figure_replaces_a_file_atomically_and_cleans_up_on_failure(tmp_path, monkeypatch):
    figure = plotting.plot_history(HISTORY)
    target = tmp_path / "deep" / "curves.png"
    assert plotting.save_figure(figure, target) == target
    pixels = png_pixels(target)
    assert pixels.shape == (400, 1000, 3) and pixels.std() > 0
    before = target.read_bytes()

    def broken_savefig(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(figure, "savefig", broken_savefig)
    with pytest.raises(OSError, match="disk full"):
        plotting.save_figure(figure, target)
    assert target.read_bytes() == before
    assert [path.name for path in target.parent.iterdir()] == ["curves.png"]


def test_save_figure_formats_follow_the_suffix(tmp_path):
    figure = plotting.plot_history(HISTORY)
    svg = plotting.save_figure(figure, tmp_path / "curves.svg")
    assert svg.read_text().lstrip().startswith("<?xml")
    assert png_pixels(plotting.save_figure(figure, tmp_path / "curves")).shape[2] == 3
    with pytest.raises(ValueError, match=r"Argument `path` must end in a picture format "
                                         r"matplotlib writes \(.*\.png.*\)\. Received: "
                                         r"path='curves.txt'"):
        plotting.save_figure(figure, "curves.txt")


def test_show_images_titles_each_image_with_its_class_name(tmp_path):
    x = np.zeros((30, 28, 28), np.uint8)
    x[:, 5:20, 8:12] = 255
    y = np.arange(30) % 10
    names = [f"class {index}" for index in range(10)]
    figure = plotting.show_images(x, y, class_names=names, n=10, path=tmp_path / "grid.png")
    assert len(figure.axes) == 10  # a 4 x 3 grid, the 2 spare cells removed
    assert [axis.get_title() for axis in figure.axes[:3]] == ["class 0", "class 1", "class 2"]
    image = figure.axes[0].get_images()[0]
    assert image.get_array().shape == (28, 28) and image.get_clim() == (0.0, 255.0)
    pixels = png_pixels(tmp_path / "grid.png")
    assert pixels.shape == (3 * 180, 4 * 160, 3) and len(np.unique(pixels)) > 2


def test_show_images_accepts_one_hot_float_labels_colour_and_channel_axes():
    rgb = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    figure = plotting.show_images(rgb, keras.utils.to_categorical([2, 0, 1, 2], 3), n=25)
    assert [axis.get_title() for axis in figure.axes] == ["2", "0", "1", "2"]
    assert figure.axes[0].get_images()[0].get_array().shape == (8, 8, 3)
    gray = plotting.show_images(np.ones((2, 5, 5, 1)) * 200.0, y=[3.0, 9.0])
    assert [axis.get_title() for axis in gray.axes] == ["3", "9"]
    assert gray.axes[0].get_images()[0].get_clim() == (0.0, 255.0)
    assert [axis.get_title() for axis in plotting.show_images(np.zeros((2, 5, 5))).axes] == ["", ""]


@pytest.mark.parametrize("x, hint", [
    (np.zeros((4, 784)), "These look like flattened images: use x.reshape(-1, 28, 28)."),
    (np.zeros((4, 3, 32, 32)), "These look channels-first: use np.transpose(x, (0, 2, 3, 1))."),
    (np.zeros((4, 8, 8, 2)), "Received: x with shape (4, 8, 8, 2)."),
])
def test_show_images_explains_wrong_shapes(x, hint):
    with pytest.raises(ValueError) as raised:
        plotting.show_images(x)
    assert str(raised.value).startswith("Argument `x` must be images of shape (N, height, "
                                        "width) or (N, height, width, 1|3|4).")
    assert str(raised.value).endswith(hint)


def test_show_images_checks_labels_names_and_n():
    x = np.zeros((5, 4, 4))
    with pytest.raises(ValueError, match="Argument `y` must hold a label per image: 5 images are "
                                         "shown but y has 2 labels."):
        plotting.show_images(x, y=[0, 1])
    with pytest.raises(ValueError, match="Argument `class_names` has 2 names, but y holds label "
                                         "7; pass one name per class, in label order."):
        plotting.show_images(x, y=[0, 1, 7, 0, 1], class_names=["cat", "dog"])
    with pytest.raises(ValueError, match=r"Argument `n` must be a positive integer \(how many "
                                         r"images to show\). Received: n=0"):
        plotting.show_images(x, n=0)


def test_without_a_display_matplotlib_draws_with_agg(tmp_path):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    script = ("import matplotlib; from lamina.utils.plotting import plot_history; "
              f"plot_history({{'loss': [0.9, 0.5]}}, path={str(tmp_path / 'c.png')!r}); "
              "print(matplotlib.get_backend())")
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.strip().lower() == "agg"
    assert (tmp_path / "c.png").stat().st_size > 0
