"""Metrics a layer or model keeps as attributes: listed in `metrics`, logged, reset, as Keras."""
import numpy as np
import pytest

import lamina as keras
from lamina import layers, ops


class ActivationStd(layers.Layer):
    """keras.io's example: a layer that records the std of what passes through it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.std = keras.metrics.Mean(name="std_of_activation")

    def call(self, inputs):
        self.std.update_state(ops.std(inputs))
        return inputs


def _model():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(1)(ActivationStd()(inputs)))
    model.compile("sgd", "mse")
    return model


def test_layer_and_model_list_the_metric_and_it_is_no_weight():
    model = _model()
    assert [m.name for m in model.layers[1].metrics] == ["std_of_activation"]
    assert [w.path for w in model.weights] == ["dense/kernel", "dense/bias"]
    # Keras 3: a compiled model lists its loss tracker first, from compile on.
    assert [m.name for m in model.metrics] == ["loss", "std_of_activation"]


def test_the_symbolic_pass_leaves_the_metric_untouched():
    model = _model()
    assert float(model.layers[1].std.count) == 0.0


def test_fit_logs_the_epoch_mean_and_evaluate_starts_afresh():
    model = _model()
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 3)).astype("float32"), rng.random((32, 1)).astype("float32")
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    expected = np.mean([x[i:i + 8].std() for i in range(0, 32, 8)])
    assert sorted(history.history) == ["loss", "std_of_activation"]
    assert history.history["std_of_activation"] == pytest.approx([expected] * 2, rel=1e-5)
    x_test = rng.random((8, 3)).astype("float32") * 10
    logs = model.evaluate(x_test, np.zeros((8, 1)), verbose=0, return_dict=True)
    assert logs["std_of_activation"] == pytest.approx(float(x_test.std()), rel=1e-5)
