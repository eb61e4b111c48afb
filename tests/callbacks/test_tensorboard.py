"""TensorBoard: event files read back with tensorboard's own EventAccumulator."""
import os
import sys

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import lamina
from lamina.callbacks import LambdaCallback, TensorBoard


def read_events(folder):
    events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0,
                                                          "images": 0})
    events.Reload()
    return events


def scalars(events, tag):
    return [(event.step, event.value) for event in events.Scalars(tag)]


def model_and_data(metrics=()):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x @ np.array([[1.0], [2.0], [-1.0]])).astype("float32")
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(4, activation="relu"),
                               lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(0.05), loss="mse", metrics=list(metrics))
    return model, x, y


def test_epoch_scalars_go_to_train_and_validation_folders(tmp_path):
    model, x, y = model_and_data(metrics=["mae"])
    history = model.fit(x, y, batch_size=10, epochs=3, validation_split=0.25, verbose=0,
                        callbacks=[TensorBoard(tmp_path, write_graph=False)])
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, validation = read_events(tmp_path / "train"), read_events(tmp_path / "validation")
    assert sorted(train.Tags()["scalars"]) == ["epoch_learning_rate", "epoch_loss", "epoch_mae"]
    assert sorted(validation.Tags()["scalars"]) == [
        "epoch_loss", "epoch_mae", "evaluation_loss_vs_iterations",
        "evaluation_mae_vs_iterations"]
    for tag, key in [("epoch_loss", "loss"), ("epoch_mae", "mae")]:
        steps, values = zip(*scalars(train, tag))
        assert steps == (0, 1, 2)
        np.testing.assert_allclose(values, history.history[key], rtol=1e-6)
        steps, values = zip(*scalars(validation, tag))
        assert steps == (0, 1, 2)
        np.testing.assert_allclose(values, history.history[f"val_{key}"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in scalars(train, "epoch_learning_rate")], [0.05] * 3,
                               rtol=1e-6)
    # 30 training rows in batches of 10: 3 steps an epoch.
    steps, values = zip(*scalars(validation, "evaluation_loss_vs_iterations"))
    assert steps == (3, 6, 9)
    np.testing.assert_allclose(values, history.history["val_loss"], rtol=1e-6)


@pytest.mark.parametrize("update_freq, expected_steps", [
    ("batch", [1, 2, 3, 4, 5, 6, 7, 8]), (3, [3, 6]), ("epoch", [])])
def test_batch_scalars_every_update_freq_batches(tmp_path, update_freq, expected_steps):
    model, x, y = model_and_data()
    batch_losses = []
    recorder = LambdaCallback(on_train_batch_end=lambda batch, logs: batch_losses.append(
        float(logs["loss"])))
    model.fit(x, y, batch_size=10, epochs=2, verbose=0, callbacks=[
        TensorBoard(tmp_path, update_freq=update_freq, write_graph=False), recorder])
    train = read_events(tmp_path / "train")
    if not expected_steps:
        assert "batch_loss" not in train.Tags()["scalars"]
        return
    steps, values = zip(*scalars(train, "batch_loss"))
    assert list(steps) == expected_steps
    np.testing.assert_allclose(values, [batch_losses[step - 1] for step in steps], rtol=1e-6)


def test_histograms_of_every_weight_every_histogram_freq_epochs(tmp_path):
    model, x, y = model_and_data()
    weights_by_epoch = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: weights_by_epoch.append(
        [w.copy() for w in model.get_weights()]))
    model.fit(x, y, epochs=3, verbose=0, callbacks=[
        recorder, TensorBoard(tmp_path, histogram_freq=2, write_images=True,
                              write_graph=False)])
    train = read_events(tmp_path / "train")
    # Tags are the weights' paths, as in Keras: a Sequential's weights are under its name.
    tags = ["sequential/dense/kernel/histogram", "sequential/dense/bias/histogram",
            "sequential/dense_1/kernel/histogram", "sequential/dense_1/bias/histogram"]
    assert sorted(train.Tags()["histograms"]) == sorted(tags)
    for index, tag in enumerate(tags):
        events = train.Histograms(tag)
        assert [event.step for event in events] == [0, 2]
        for event, epoch in zip(events, [0, 2]):
            weight = weights_by_epoch[epoch][index]
            assert event.histogram_value.num == weight.size
            assert event.histogram_value.min == pytest.approx(weight.min(), abs=1e-6)
            assert event.histogram_value.max == pytest.approx(weight.max(), abs=1e-6)
            assert event.histogram_value.sum == pytest.approx(weight.sum(), abs=1e-5)
    # Keras' layout: a (1,)-shaped bias squeezes to a scalar, which is no image.
    assert sorted(train.Tags()["images"]) == sorted(tag.replace("histogram", "image")
                                                    for tag in tags[:3])


def test_the_traced_graph_is_written(tmp_path):
    model, x, y = model_and_data()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[TensorBoard(tmp_path)])
    train = read_events(tmp_path / "train")
    assert train.Tags()["graph"]
    node_names = [node.name for node in train.Graph().node]
    assert any("Dense" in name for name in node_names)
    board = TensorBoard(tmp_path / "again")
    board.set_model(model)
    for mode in (True, False):  # tracing runs in eval mode and gives the flag back
        model.train(mode)
        board.on_train_begin()
        assert model.training is mode


class RefusesTracing(lamina.layers.Layer):
    """Stands for layers torch.jit.trace cannot follow (data-dependent Python, say)."""

    def call(self, inputs):
        if torch.jit.is_tracing():
            raise RuntimeError("cannot trace this layer")
        return inputs


class NoInputShapes(lamina.Model):
    def __init__(self):
        super().__init__()
        self.dense = lamina.layers.Dense(1)

    def call(self, inputs):
        return self.dense(inputs)


@pytest.mark.parametrize("build", [
    lambda: lamina.Sequential([lamina.Input((3,)), RefusesTracing(), lamina.layers.Dense(1)]),
    NoInputShapes,
])
def test_a_model_that_cannot_be_traced_trains_without_a_graph(tmp_path, build):
    model = build()
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[TensorBoard(tmp_path)])
    train = read_events(tmp_path / "train")
    assert not train.Tags()["graph"]
    assert len(scalars(train, "epoch_loss")) == len(history.history["loss"]) == 2


def test_steps_per_second_scalars(tmp_path):
    model, x, y = model_and_data()
    model.fit(x, y, batch_size=10, epochs=2, verbose=0, callbacks=[
        TensorBoard(tmp_path, write_steps_per_second=True, update_freq=2, write_graph=False)])
    train = read_events(tmp_path / "train")
    assert [step for step, _ in scalars(train, "batch_steps_per_second")] == [2, 4, 6, 8]
    rates = scalars(train, "epoch_steps_per_second")
    assert [step for step, _ in rates] == [0, 1] and all(value > 0 for _, value in rates)


def test_embeddings_for_the_projector(tmp_path):
    labels = tmp_path / "labels.tsv"
    labels.write_text("\n".join(f"word{i}" for i in range(10)))
    model = lamina.Sequential([lamina.Input((2,), dtype="int32"),
                               lamina.layers.Embedding(10, 4, name="words"),
                               lamina.layers.Flatten(), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.arange(16).reshape(8, 2) % 10, np.ones((8, 1), "float32")
    logs = tmp_path / "logs"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[TensorBoard(
        logs, embeddings_freq=1, embeddings_metadata={"words": str(labels)}, write_graph=False)])
    config = (logs / "train" / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "words:00000"' in config
    tensors = np.loadtxt(logs / "train" / "00000" / "words" / "tensors.tsv")
    np.testing.assert_allclose(tensors, model.get_layer("words").get_weights()[0], atol=1e-6)
    metadata = (logs / "train" / "00000" / "words" / "metadata.tsv").read_text().split()
    assert metadata == [f"word{i}" for i in range(10)]
    with pytest.raises(ValueError, match="Unrecognized `Embedding` layer names passed to "
                                         r"`keras.callbacks.TensorBoard` `embeddings_metadata` "
                                         r"argument: \['embedding'\]"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[TensorBoard(
            logs, embeddings_freq=1, embeddings_metadata={"embedding": str(labels)})])


def test_missing_tensorboard_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ImportError) as error:
        TensorBoard()
    assert str(error.value) == (
        "The TensorBoard callback writes event files with the `tensorboard` package, which is "
        "not installed. Install it with `pip install lamina[tensorboard]` (or `pip install "
        "tensorboard`).")


@pytest.mark.parametrize("kwargs, message", [
    ({"update_freq": "step"},
     ("Argument `update_freq` must be 'epoch', 'batch' or a number of batches >= 1. Received: "
     "update_freq='step'")),
    ({"update_freq": 0}, "Argument `update_freq` must be 'epoch', 'batch'"),
    ({"profile_batch": (5, 2)}, "profile_batch must be a non-negative integer or 2-tuple of "
                                "positive integers. A pair of positive integers signifies a "
                                "range of batches to profile. Found: (5, 2)"),
    ({"profile_batch": -1}, "profile_batch must be a non-negative integer"),
    ({"profile_batch": (1, 2, 3)}, "profile_batch must be a non-negative integer"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as error:
        TensorBoard(**kwargs)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("profile_batch", [(2, 3), "2,3"], ids=["pair", "string"])
def test_profile_batch_writes_a_chrome_trace_of_those_batches(tmp_path, profile_batch):
    # Keras' profile_batch=(2, 3) profiles the 2nd and 3rd training batches of the fit.
    model, x, y = model_and_data()
    model.fit(x, y, batch_size=10, epochs=1, verbose=0,
              callbacks=[TensorBoard(tmp_path, write_graph=False, profile_batch=profile_batch)])
    trace_dir = tmp_path / "train" / "plugins" / "profile"
    traces = [name for name in os.listdir(trace_dir) if name.endswith(".pt.trace.json")]
    assert len(traces) == 1
    assert '"traceEvents"' in (trace_dir / traces[0]).read_text()


def test_a_profile_running_when_fit_ends_is_written(tmp_path):
    model, x, y = model_and_data()
    board = TensorBoard(tmp_path, write_graph=False, profile_batch=(3, 100))
    model.fit(x, y, batch_size=10, epochs=1, verbose=0, callbacks=[board])
    assert board._profiler is None
    assert len(os.listdir(tmp_path / "train" / "plugins" / "profile")) == 1
