"""The models every export format is checked on, with inputs of a batch size to run them on.

Each model is in inference mode when it predicts: Dropout drops nothing and
BatchNormalization uses its moving statistics, which are set far from (0, 1) here so that
using the batch's statistics instead would show.
"""
import numpy as np
import pytest

import lamina
from lamina import layers

MODEL_NAMES = ["mlp", "cnn", "embedding_lstm", "two_inputs_merge"]


def mlp():
    return lamina.Sequential([lamina.Input((12,)), layers.Dense(16, activation="relu"),
                              layers.Dropout(0.5), layers.Dense(4, activation="softmax")])


def cnn():
    model = lamina.Sequential([
        lamina.Input((10, 10, 3)), layers.Conv2D(6, 3, activation="relu"),
        layers.BatchNormalization(), layers.MaxPooling2D(), layers.Dropout(0.5),
        layers.Conv2D(4, 3, padding="same"), layers.Flatten(), layers.Dense(3)])
    batch_norm = model.layers[1]
    gamma, beta, _, _ = batch_norm.get_weights()
    rng = np.random.default_rng(0)
    batch_norm.set_weights([gamma * 1.5, beta + 0.2, rng.normal(size=6).astype("float32"),
                            rng.uniform(0.5, 2.0, size=6).astype("float32")])
    return model


def embedding_lstm():
    return lamina.Sequential([lamina.Input((9,), dtype="int32"), layers.Embedding(20, 8),
                              layers.LSTM(6), layers.Dense(2, activation="sigmoid")])


def two_inputs_merge():
    features = lamina.Input((5,), name="features")
    extra = lamina.Input((3,), name="extra")
    left = layers.Dense(4, activation="tanh")(features)
    right = layers.Dense(4)(extra)
    merged = layers.Concatenate()([layers.Add()([left, right]), right])
    return lamina.Model([features, extra], layers.Dense(2, name="score")(merged))


def sample_inputs(name: str, batch_size: int, seed: int = 1):
    """Inputs for the model `name`: one array, or a list for the two-input model."""
    rng = np.random.default_rng(seed)
    if name == "mlp":
        return rng.normal(size=(batch_size, 12)).astype("float32")
    if name == "cnn":
        return rng.normal(size=(batch_size, 10, 10, 3)).astype("float32")
    if name == "embedding_lstm":
        return rng.integers(0, 20, size=(batch_size, 9)).astype("int32")
    return [rng.normal(size=(batch_size, 5)).astype("float32"),
            rng.normal(size=(batch_size, 3)).astype("float32")]


BUILDERS = {"mlp": mlp, "cnn": cnn, "embedding_lstm": embedding_lstm,
            "two_inputs_merge": two_inputs_merge}


@pytest.fixture(params=MODEL_NAMES)
def export_case(request):
    """(name, model, a function batch_size -> inputs) for each model under test."""
    name = request.param
    return name, BUILDERS[name](), lambda batch_size: sample_inputs(name, batch_size)
