"""Functional models: graphs with branches, several inputs and outputs; config round trip."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import Input, Model, layers


def branching_model():
    inputs = Input(shape=(64,), name="features")
    hidden = layers.Dense(32, activation="relu")(inputs)
    a = layers.Dense(16, activation="relu")(hidden)
    b = layers.Dense(16, activation="tanh")(hidden)
    merged = layers.concatenate([a, b])
    label = layers.Dense(3, activation="softmax", name="label")(merged)
    score = layers.Dense(1, name="score")(merged)
    return Model(inputs=inputs, outputs=[label, score])


def test_symbolic_calls_give_shapes_and_model_runs_the_graph():
    model = branching_model()
    assert model.output_names == ["label", "score"]
    assert model.output_shape == [(None, 3), (None, 1)]
    label, score = model(np.random.rand(5, 64).astype("float32"))
    assert label.shape == (5, 3) and score.shape == (5, 1)
    torch.testing.assert_close(label.sum(1), torch.ones(5))


def test_graph_output_equals_manual_composition():
    inputs = Input(shape=(4,))
    first = layers.Dense(3, activation="relu")
    second = layers.Dense(2)
    model = Model(inputs, second(first(inputs)))
    x = torch.randn(6, 4)
    torch.testing.assert_close(model(x), second(first(x)))


def test_multi_output_fit_with_loss_and_metric_dicts():
    model = branching_model()
    model.compile(optimizer="adam", loss={"label": "sparse_categorical_crossentropy", "score": "mse"},
                  metrics={"label": "accuracy"})
    x = np.random.rand(128, 64).astype("float32")
    history = model.fit(x, {"label": np.random.randint(0, 3, 128), "score": x.sum(1, keepdims=True)},
                        epochs=2, verbose=0)
    assert set(history.history) == {"loss", "label_loss", "score_loss", "label_accuracy"}
    logs = history.history
    np.testing.assert_allclose(logs["loss"][-1], logs["label_loss"][-1] + logs["score_loss"][-1], rtol=1e-5)


def test_two_inputs_by_list_and_by_name():
    left, right = Input(shape=(3,), name="left"), Input(shape=(2,), name="right")
    model = Model([left, right], layers.Dense(1)(layers.concatenate([left, right])))
    a, b = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    torch.testing.assert_close(model([a, b]), model({"left": a, "right": b}))
    with pytest.raises(ValueError, match="missing"):
        model({"left": a})


def test_summary_has_connected_to_column(capsys):
    branching_model().summary()
    out = capsys.readouterr().out
    assert "Connected to" in out and "(InputLayer)" in out
    assert "│ dense_1[0][0],    │" in out and "│ features[0][0]    │" in out


def test_config_round_trip():
    model = branching_model()
    clone = Model.from_config(model.get_config())
    assert clone.output_names == ["label", "score"]
    assert clone.count_params() == model.count_params()
    clone.set_weights(model.get_weights())
    x = torch.rand(2, 64)
    for got, expected in zip(clone(x), model(x)):
        torch.testing.assert_close(got, expected)


def test_disconnected_graph_is_reported():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, layers.Dense(1)(b))
