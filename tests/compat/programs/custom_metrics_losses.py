"""Custom metrics and losses as the Keras guides and Géron write them (Metric subclasses)."""
import numpy as np

import lamina as keras
from lamina import layers, ops


class CategoricalTruePositives(keras.metrics.Metric):
    """How many samples were correctly classified (the "Training & evaluation" guide)."""

    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


class HuberMetric(keras.metrics.Metric):
    """Géron's streaming Huber metric: a total and a count, with a threshold in its config."""

    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.total = self.add_weight(name="total", initializer="zeros")
        self.count = self.add_weight(name="count", initializer="zeros")

    def huber_fn(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) < self.threshold
        squared_loss = ops.square(error) / 2
        linear_loss = self.threshold * ops.abs(error) - self.threshold ** 2 / 2
        return ops.where(is_small_error, squared_loss, linear_loss)

    def update_state(self, y_true, y_pred, sample_weight=None):
        sample_metrics = self.huber_fn(y_true, y_pred)
        self.total.assign_add(ops.sum(sample_metrics))
        self.count.assign_add(ops.cast(ops.size(y_true), "float32"))

    def result(self):
        return self.total / self.count

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}


class HuberLoss(keras.losses.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) < self.threshold
        squared_loss = ops.square(error) / 2
        linear_loss = self.threshold * ops.abs(error) - self.threshold ** 2 / 2
        return ops.where(is_small_error, squared_loss, linear_loss)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}


def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


# A stateful metric used by hand: update_state, result, reset_state.
metric = CategoricalTruePositives()
metric.update_state(np.array([[0], [1], [2]]), np.eye(3)[[0, 2, 2]])
first_result = float(metric.result())
metric.update_state(np.array([[1]]), np.eye(3)[[1]], sample_weight=np.array([0.5]))
accumulated_result = float(metric.result())
metric.reset_state()
after_reset = float(metric.result())
metric_variable_names = [v.name for v in metric.variables]
metric_variable_count = len(metric.variables)

precision = keras.metrics.Precision()
precision.update_state([0, 1, 1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 0, 1, 0, 1])
precision.update_state([0, 1, 0, 0, 1, 0, 1, 1], [1, 0, 1, 1, 0, 0, 0, 0])
streaming_precision = round(float(precision.result()), 6)
precision_variable_names = [v.name for v in precision.variables]

huber = HuberMetric(2.0)
huber.update_state(np.array([[2.0], [0.0]]), np.array([[1.0], [4.0]]))
huber_result = float(huber.result())
huber_config = huber.get_config()
huber_variables = [v.name for v in huber.variables]

# A classifier trained with the custom metric in compile().
rng = np.random.default_rng(0)
x_train = rng.normal(size=(600, 20)).astype("float32")
# Labels as a column, (600, 1): the metric compares them with the (batch, 1) argmax.
y_train = (x_train[:, :3].argmax(axis=1)).astype("int64")[:, None]
inputs = keras.Input(shape=(20,), name="digits")
x = layers.Dense(32, activation="relu", name="dense_1")(inputs)
outputs = layers.Dense(3, activation="softmax", name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[CategoricalTruePositives(), "sparse_categorical_accuracy"])
history = model.fit(x_train, y_train, batch_size=64, epochs=5, verbose=0,
                    validation_split=0.2)
classifier_history_keys = sorted(history.history)
true_positives_per_epoch = history.history["categorical_true_positives"]
eval_results = model.evaluate(x_train, y_train, batch_size=100, verbose=0, return_dict=True)
classifier_eval_keys = sorted(eval_results)
# The count over one pass of the 600 rows cannot pass 600.
true_positives_at_most_rows = eval_results["categorical_true_positives"] <= 600
accuracy_matches_count = bool(np.isclose(eval_results["sparse_categorical_accuracy"],
                                         eval_results["categorical_true_positives"] / 600,
                                         atol=1e-5))

# A regression model with a custom loss class, a custom loss function and the Huber metric.
y_reg = (x_train[:, :1] * 3 + rng.normal(size=(600, 1))).astype("float32")
regressor = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1)])
regressor.compile(optimizer="adam", loss=HuberLoss(2.0),
                  metrics=[HuberMetric(2.0, name="huber"), custom_mean_squared_error])
history = regressor.fit(x_train, y_reg, epochs=5, batch_size=32, verbose=0)
regressor_history_keys = sorted(history.history)
huber_loss_falls = history.history["loss"][-1] < history.history["loss"][0]
regressor_loss_name = regressor.loss.name
loss_config = HuberLoss(2.0).get_config()

# A loss as a plain function of (y_true, y_pred) and a metric object reset by evaluate.
regressor.compile(optimizer="adam", loss=custom_mean_squared_error, metrics=["mae"])
function_loss_history_keys = sorted(regressor.fit(x_train, y_reg, epochs=1, verbose=0).history)
first_eval = regressor.evaluate(x_train, y_reg, verbose=0)
second_eval = regressor.evaluate(x_train, y_reg, verbose=0)
evaluate_is_repeatable = bool(np.allclose(first_eval, second_eval))


# Metrics that see the model's internals: add a metric from a layer's state in call().
class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(ops.sum(inputs) * 0.1)
        return inputs


inputs = keras.Input(shape=(20,))
x = layers.Dense(16, activation="relu")(inputs)
x = ActivityRegularizationLayer()(x)
outputs = layers.Dense(3)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
activity_history = model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
activity_losses_count = len(model.losses)

# Keras' built-in metric objects in a custom evaluation, by hand.
auc = keras.metrics.AUC(num_thresholds=50)
auc.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
auc_result = round(float(auc.result()), 4)
auc_variable_shapes = [tuple(v.shape) for v in auc.variables]
mean_metric = keras.metrics.Mean(name="my_mean")
mean_metric.update_state([1.0, 3.0, 5.0], sample_weight=[1.0, 1.0, 0.0])
weighted_mean = float(mean_metric.result())
