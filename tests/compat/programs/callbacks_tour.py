"""Callbacks as the Keras guides and books use them: schedules, plateaus, logs, early stops."""
import csv
import math

import numpy as np

import lamina as keras
from lamina import layers

rng = np.random.default_rng(7)
x_train = rng.normal(size=(512, 10)).astype("float32")
w_true = rng.normal(size=(10, 1)).astype("float32")
y_train = (x_train @ w_true + 0.1 * rng.normal(size=(512, 1))).astype("float32")
x_val, y_val = x_train[-128:], y_train[-128:]
x_train, y_train = x_train[:-128], y_train[:-128]


def get_model():
    model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse",
                  metrics=["mae"])
    return model


# LearningRateScheduler: Géron's exponential decay, a function of the epoch.
def exponential_decay_fn(epoch, lr):
    return lr * 0.1 ** (1 / 20)


model = get_model()
lr_scheduler = keras.callbacks.LearningRateScheduler(exponential_decay_fn)
history = model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=0,
                    callbacks=[lr_scheduler])
scheduled_history_keys = sorted(history.history)
scheduled_rates = history.history["learning_rate"]
final_learning_rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))

# A piecewise schedule in the (epoch) -> lr form, with verbose messages.
def piecewise_constant_fn(epoch):
    if epoch < 2:
        return 0.01
    return 0.005


model = get_model()
history = model.fit(x_train, y_train, epochs=4, verbose=0,
                    callbacks=[keras.callbacks.LearningRateScheduler(piecewise_constant_fn,
                                                                     verbose=1)])
piecewise_rates = [round(v, 6) for v in history.history["learning_rate"]]

# ReduceLROnPlateau: a tiny min_delta threshold that is never met cuts the rate each time.
model = get_model()
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                              min_delta=10.0, min_lr=1e-4, verbose=1)
history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=6, verbose=0,
                    callbacks=[reduce_lr])
plateau_history_keys = sorted(history.history)
plateau_rates = [round(v, 6) for v in history.history["learning_rate"]]

# CSVLogger writes one row per epoch; LambdaCallback collects what the logs hold.
seen_batches = []
epoch_logs = []
lambda_callback = keras.callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: epoch_logs.append((epoch, sorted(logs))),
    on_train_batch_end=lambda batch, logs: seen_batches.append(batch),
)
model = get_model()
model.fit(x_train, y_train, validation_split=0.25, epochs=3, batch_size=64, verbose=0,
          callbacks=[keras.callbacks.CSVLogger("training.log"), lambda_callback])
with open("training.log") as log_file:
    rows = list(csv.reader(log_file))
csv_header = rows[0]
csv_rows = len(rows) - 1
csv_epochs = [row[0] for row in rows[1:]]
lambda_epoch_logs = epoch_logs
batches_per_epoch = len(seen_batches) // 3
last_batch_index = seen_batches[-1]

# CSVLogger append=True adds rows after the old ones, with no second header.
model.fit(x_train, y_train, epochs=2, batch_size=64, verbose=0,
          callbacks=[keras.callbacks.CSVLogger("training.log", separator=";", append=True)])
with open("training.log") as log_file:
    appended_lines = log_file.read().splitlines()
appended_line_count = len(appended_lines)

# TerminateOnNaN stops the run at the first batch whose loss is NaN.
model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e6), loss="mse")
nan_batches = []
history = model.fit(x_train * 1e3, y_train, epochs=5, batch_size=32, verbose=0,
                    callbacks=[keras.callbacks.TerminateOnNaN(),
                               keras.callbacks.LambdaCallback(
                                   on_train_batch_end=lambda b, logs: nan_batches.append(b))])
nan_epochs_run = len(history.history["loss"])
nan_final_loss_is_nan = bool(math.isnan(history.history["loss"][-1]))
stopped_early = model.stop_training


# A custom callback, as in "Writing your own callbacks".
class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.per_batch_losses = []
        self.calls = []

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self.per_batch_losses.append(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_test_begin(self, logs=None):
        self.calls.append("test_begin")

    def on_predict_end(self, logs=None):
        self.calls.append("predict_end")


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stops when the loss stops improving and puts back the best weights (keras.io guide)."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                self.model.set_weights(self.best_weights)


model = get_model()
loss_history = LossHistory()
model.fit(x_train, y_train, epochs=2, batch_size=128, verbose=0,
          validation_data=(x_val, y_val), callbacks=[loss_history])
model.predict(x_val, verbose=0, callbacks=[loss_history])
custom_calls = loss_history.calls
per_batch_count = len(loss_history.per_batch_losses)
callback_has_model = loss_history.model is model

model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
stopper = EarlyStoppingAtMinLoss(patience=1)
history = model.fit(x_train, y_train, epochs=30, batch_size=64, verbose=0,
                    callbacks=[stopper])
stopped_before_end = len(history.history["loss"]) < 30
best_loss_restored = float(model.evaluate(x_train, y_train, verbose=0))
best_loss_seen = float(stopper.best)

# Keras' own EarlyStopping with restore_best_weights and start_from_epoch.
model = get_model()
early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=100.0,
                                      restore_best_weights=True, start_from_epoch=1)
history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=20, verbose=0,
                    callbacks=[early])
early_epochs_run = len(history.history["loss"])
early_stopped_epoch = early.stopped_epoch
early_best_epoch = early.best_epoch
