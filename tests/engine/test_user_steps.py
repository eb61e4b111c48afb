"""A user's train_step runs as in Keras: `self(x)` without `training=` leaves each layer at its
own default (BatchNormalization in inference), its logs reach callbacks with sorted keys, and
the built-in step ignores gradients a user's own backward() left behind."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers


class _Probe(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return x


class _StepModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        loss = self.compute_loss(y=y, y_pred=self(x))
        loss.backward()
        with torch.no_grad():
            self.optimizer.apply([v.value.grad for v in self.trainable_weights],
                                 self.trainable_weights)
        return {"zeta": loss, "alpha": 2.0}


class _Keys(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.keys = []

    def on_train_batch_end(self, batch, logs=None):
        self.keys.append(list(logs))


def test_a_call_without_training_inside_train_step_keeps_layer_defaults():
    inputs = keras.Input((4,))
    probe = _Probe()
    normalized = layers.BatchNormalization()(inputs)
    model = _StepModel(inputs, layers.Dense(1)(probe(normalized)))
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).random((32, 4)).astype("float32") + 3.0
    keys = _Keys()
    probe.seen.clear()
    model.fit(x, x[:, :1], batch_size=32, verbose=0, callbacks=[keys])
    assert True not in probe.seen and None in probe.seen
    np.testing.assert_array_equal(model.layers[1].moving_mean.numpy(), np.zeros(4))
    assert keys.keys == [["alpha", "zeta"]]


def test_the_built_in_step_ignores_gradients_left_by_a_users_backward():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    x = np.ones((4, 2), "float32")
    keras.ops.sum(model(x) * 100.0).backward()
    model.train_on_batch(x, np.ones((4, 1), "float32"))
    # mse gradient at zero weights: d/dk mean((x·k - 1)^2) = -2 per kernel entry.
    np.testing.assert_allclose(model.get_weights()[0].ravel(), [2.0, 2.0])


def test_the_optimizer_builds_on_every_trainable_weight_used_or_not():
    class TwoWeights(layers.Layer):
        def build(self, input_shape):
            self.used = self.add_weight(shape=(input_shape[-1], 1))
            self.unused = self.add_weight(shape=(input_shape[-1], 1))

        def call(self, x):
            return keras.ops.matmul(x, self.used)

    model = keras.Sequential([keras.Input((3,)), TwoWeights()])
    model.compile(keras.optimizers.Adam(0.1), "mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), verbose=0)
    # iterations, learning rate, and Adam's two slots for each of the two weights (as Keras).
    assert len(model.optimizer.variables) == 6


class _MetricsLoopModel(keras.Model):
    """The Keras guide's train_step: every metric but the loss gets (y, y_pred, sw)."""

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {metric.name: metric.result() for metric in self.metrics}


def test_a_metrics_loop_updates_compile_metrics_as_one_as_in_keras():
    # Keras 3.15 (torch backend), same program: loss 0.25 (sample-weighted), mae 2.0 (the
    # plain `metrics=` entry takes no sample weights; weighted_metrics would).
    inputs = keras.Input((2,))
    outputs = layers.Dense(1, kernel_initializer="ones", use_bias=False)(inputs)
    model = _MetricsLoopModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", metrics=["mae"])
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert repr(model.metrics) == "[<Mean name=loss>, <CompileMetrics name=compile_metrics>]"
    x = np.array([[1, 0], [0, 2], [1, 1], [3, 0]], "float32")
    history = model.fit(x, np.zeros((4, 1), "float32"), sample_weight=np.array([1, 0, 0, 0.0]),
                        batch_size=4, verbose=0)
    assert history.history == {"loss": [pytest.approx(0.25)], "mae": [pytest.approx(2.0)]}


def test_metrics_names_are_keras_3s_with_each_outputs_loss_after_the_first_fit():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, [layers.Dense(1, name="a")(inputs),
                                 layers.Dense(1, name="b")(inputs)])
    model.compile("sgd", ["mse", "mae"], metrics=[["mae"], ["mse"]])
    assert model.metrics_names == ["loss", "compile_metrics"]
    y = np.zeros((4, 1), "float32")
    model.fit(np.ones((4, 2), "float32"), [y, y], verbose=0)
    assert model.metrics_names == ["loss", "compile_metrics", "a_loss", "b_loss"]
    assert sorted(model.get_metrics_result()) == ["a_loss", "a_mae", "b_loss", "b_mse", "loss"]


def test_compute_loss_and_metrics_work_before_any_fit():
    # Keras 3.15 (jax) on the same data: 1.08678 and mae 0.86364.
    x = np.linspace(0, 1, 12, dtype="float32").reshape(4, 3)
    y = np.ones((4, 1), "float32")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_initializer="ones")])
    model.compile(loss="mse", optimizer="sgd", metrics=["mae"])
    assert float(model.compute_loss(x=x, y=y, y_pred=model(x))) == pytest.approx(1.08678, 1e-5)
    assert model.compute_metrics(x, y, model(x))["mae"] == pytest.approx(0.86364, 1e-5)


def test_a_user_steps_nested_logs_reach_batch_callbacks_flat_and_as_floats():
    # Keras' pythonify_logs: {"loss": ..., "compile_metrics": {"mae": ...}} -> mae, loss floats.
    seen = []
    callback = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(
            {key: type(value).__name__ for key, value in logs.items()}))
    inputs = keras.Input((2,))
    model = _MetricsLoopModel(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", "mse", metrics=["mae"])
    model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), batch_size=4, verbose=0,
              callbacks=[callback])
    assert seen == [{"mae": "float", "loss": "float"}] * 2


class _OwnOptimizerModel(keras.Model):
    """A train_step that updates with an optimizer of its own (as keras.io's GANs do)."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)
        self.own_optimizer = keras.optimizers.SGD()

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        loss = ((self(x) - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            self.own_optimizer.apply([v.value.grad for v in self.trainable_weights],
                                     self.trainable_weights)
        return {"loss": loss}


def test_fit_builds_the_compiled_optimizer_even_when_the_step_never_uses_it():
    model = _OwnOptimizerModel()
    model.compile()
    model.fit(np.ones((8, 3)), np.ones((8, 2)), verbose=0)
    # Keras: the default RMSprop is built (iterations, learning rate, 2 velocities), so
    # summary() shows "Optimizer params: 10".
    assert model.optimizer.built and len(model.optimizer.variables) == 4


def test_compute_loss_with_positional_arguments_is_told_to_use_keywords():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = torch.ones(4, 2), torch.zeros(4, 1)
    with pytest.raises(ValueError, match=r"^compute_loss\(\) needs `y_pred`, the model's "
                                         r"predictions\. .*the positional arguments went to x and "
                                         r"y\. Call it with keywords: self\.compute_loss\(y=y, "
                                         r"y_pred=y_pred\)\.$"):
        model.compute_loss(y, model(x))
