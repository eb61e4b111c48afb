"""History.plot, History.stopped_epoch and History.diagnose after real `fit` runs."""
import sys

import numpy as np
import pytest
from PIL import Image

import lamina as keras
from lamina import layers
from lamina.callbacks import History

pyplot = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    pyplot.close("all")


def lines_by_label(axis):
    return {line.get_label(): line for line in axis.get_lines()}


def recorded(logs_per_epoch):
    history = History()
    history.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        history.on_epoch_end(epoch, logs)
    return history


def small_classifier():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def blobs(count=60):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, count)
    x = rng.normal(size=(count, 4)).astype("float32") + y[:, None]
    return x, y


def test_plot_draws_a_panel_per_quantity_with_training_and_validation_lines():
    history = recorded([{"accuracy": 0.5, "loss": 0.9, "val_accuracy": 0.4, "val_loss": 1.0},
                        {"accuracy": 0.7, "loss": 0.5, "val_accuracy": 0.6, "val_loss": 0.7},
                        {"accuracy": 0.8, "loss": 0.4, "val_accuracy": 0.55, "val_loss": 0.8}])
    figure = history.plot()
    loss_axis, accuracy_axis = figure.axes
    assert [loss_axis.get_title(), accuracy_axis.get_title()] == ["loss", "accuracy"]
    assert [loss_axis.get_xlabel(), loss_axis.get_ylabel()] == ["Epoch", "loss"]
    assert accuracy_axis.get_ylabel() == "accuracy"
    loss_lines = lines_by_label(loss_axis)
    assert loss_lines["training"].get_xdata().tolist() == [1, 2, 3]
    assert loss_lines["training"].get_ydata().tolist() == [0.9, 0.5, 0.4]
    assert loss_lines["validation"].get_ydata().tolist() == [1.0, 0.7, 0.8]
    # The best epoch: lowest validation loss, highest validation accuracy.
    best_loss = loss_lines["best epoch 2 (val_loss 0.7)"]
    assert (best_loss.get_xdata().tolist(), best_loss.get_ydata().tolist()) == ([2], [0.7])
    assert best_loss.get_marker() == "*"
    best_accuracy = lines_by_label(accuracy_axis)["best epoch 2 (val_accuracy 0.6)"]
    assert best_accuracy.get_xdata().tolist() == [2]
    legend = [text.get_text() for text in loss_axis.get_legend().get_texts()]
    assert legend == ["training", "validation", "best epoch 2 (val_loss 0.7)"]


def test_plot_metrics_selects_panels_and_path_writes_a_png(tmp_path):
    history = recorded([{"accuracy": 0.5, "loss": 0.9}, {"accuracy": 0.7, "loss": 0.5},
                        {"accuracy": 0.65, "loss": 0.6}])
    target = tmp_path / "curves.png"
    figure = history.plot(metrics=["accuracy"], path=target)
    assert [axis.get_title() for axis in figure.axes] == ["accuracy"]
    # No validation: the best training value is marked.
    assert "best epoch 2 (accuracy 0.7)" in lines_by_label(figure.axes[0])
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (500, 400)
        pixels = np.asarray(image.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 10
    assert sorted(path.name for path in tmp_path.iterdir()) == ["curves.png"]


def test_early_stopping_is_recorded_and_marked():
    x, y = blobs()
    model = small_classifier()
    # min_delta=100 is never met: EarlyStopping stops after epoch 1 (0-based) with patience 1.
    stopper = keras.callbacks.EarlyStopping(monitor="loss", min_delta=100, patience=1)
    history = model.fit(x, y, epochs=10, verbose=0, validation_split=0.25, callbacks=[stopper])
    assert stopper.stopped_epoch == 1 and history.epoch == [0, 1]
    assert history.stopped_epoch == 1
    figure = history.plot()
    stop_line = lines_by_label(figure.axes[0])["stopped at epoch 2"]
    assert stop_line.get_xdata()[0] == 2 and stop_line.get_linestyle() == ":"


def test_a_run_to_the_end_has_no_stop_marker():
    x, y = blobs()
    history = small_classifier().fit(x, y, epochs=3, verbose=0, validation_split=0.25)
    assert history.stopped_epoch is None
    labels = [line.get_label() for axis in history.plot().axes for line in axis.get_lines()]
    assert not any(label.startswith("stopped") for label in labels)
    assert [axis.get_title() for axis in history.plot().axes] == ["loss", "accuracy"]


def test_history_diagnose_takes_the_baseline_from_a_softmax_classifier():
    x, y = blobs()
    history = small_classifier().fit(x, y, epochs=3, verbose=0, validation_split=0.25)
    history.history["loss"] = [1.09, 1.05, 1.0]
    history.history["val_loss"] = [1.1, 1.06, 1.02]
    result = history.diagnose()
    assert result.verdict == "underfitting"
    assert result.evidence[0] == ("Training loss ended at 1, 91% of 1.099, the loss of guessing "
                                  "uniformly among 3 classes, log(3).")
    assert "log(3)" not in " ".join(history.diagnose(baseline_loss=5.0).evidence)


def test_plot_without_matplotlib_says_how_to_install_it(monkeypatch):
    history = recorded([{"loss": 0.9}, {"loss": 0.5}])
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError) as raised:
        history.plot()
    assert str(raised.value) == ('Plotting needs matplotlib, which is not installed. Install it '
                                 'with `pip install "lamina[plot]"` (or `pip install matplotlib`).')
