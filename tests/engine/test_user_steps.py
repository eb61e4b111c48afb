"""A user's train_step runs as in Keras: `self(x)` without `training=` leaves each layer at its
own default (BatchNormalization in inference), its logs reach callbacks with sorted keys, and
the built-in step ignores gradients a user's own backward() left behind."""
import numpy as np
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
