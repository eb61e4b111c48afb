"""Customizing what happens in fit() with PyTorch (the Keras guide): train_step and test_step."""
import numpy as np
import torch

import lamina as keras
from lamina import layers


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        # Clear the leftover gradients.
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


inputs = keras.Input(shape=(32,))
outputs = layers.Dense(1)(inputs)
model = CustomModel(inputs, outputs)
model.compile(optimizer="adam", loss="mse", metrics=["mae"])

rng = np.random.default_rng(0)
x = rng.random((1000, 32)).astype("float32")
y = (x.sum(axis=1, keepdims=True) / 16).astype("float32")
history = model.fit(x, y, epochs=3, verbose=0)
custom_history_keys = sorted(history.history)
custom_losses = history.history["loss"]


# Lower level: own loss tracker and metrics, and a `metrics` property so they reset each epoch.
class LowLevelModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


inputs = keras.Input(shape=(32,))
outputs = layers.Dense(1)(inputs)
model = LowLevelModel(inputs, outputs)
model.compile(optimizer="adam")
history = model.fit(x, y, epochs=5, verbose=0)
low_level_history_keys = sorted(history.history)
low_level_losses = history.history["loss"]
low_level_metric_names = [m.name for m in model.metrics]


# Sample weights and class weights reach train_step as a third element.
class WeightedModel(keras.Model):
    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


inputs = keras.Input(shape=(32,))
outputs = layers.Dense(1)(inputs)
model = WeightedModel(inputs, outputs)
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
sw = rng.random((1000, 1)).astype("float32")
history = model.fit(x, y, sample_weight=sw, epochs=3, verbose=0)
weighted_history_keys = sorted(history.history)
weighted_losses = history.history["loss"]


# A custom evaluation step.
class EvalModel(keras.Model):
    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


inputs = keras.Input(shape=(32,))
outputs = layers.Dense(1)(inputs)
model = EvalModel(inputs, outputs)
model.compile(loss="mse", metrics=["mae"])
eval_result = model.evaluate(x, y, verbose=0)
eval_result_length = len(eval_result)
eval_dict_keys = sorted(model.evaluate(x, y, verbose=0, return_dict=True))
model_metric_count = len(model.metrics)
