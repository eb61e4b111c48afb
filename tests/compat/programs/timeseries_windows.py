"""timeseries_dataset_from_array windows (keras.io, Géron ch. 15) into fit, evaluate and predict."""
import numpy as np

import lamina as keras
from lamina import layers

# The documented examples: windows of a counting series.
data = np.arange(100)
dataset = keras.utils.timeseries_dataset_from_array(
    data, targets=None, sequence_length=10, sequence_stride=3, sampling_rate=2,
    batch_size=4)
first_windows = [batch for batch in dataset][0]
first_window_rows = np.asarray(first_windows).tolist()
window_batch_count = len(list(dataset))

targets_dataset = keras.utils.timeseries_dataset_from_array(
    data[:-10], targets=data[10:], sequence_length=10, batch_size=8)
for batch in targets_dataset:
    inputs, targets = batch
    break
first_input_row = np.asarray(inputs[0]).tolist()
first_target = int(np.asarray(targets[0]))
target_batch_shapes = [tuple(inputs.shape), tuple(targets.shape)]
shuffled = keras.utils.timeseries_dataset_from_array(
    data[:-10], targets=data[10:], sequence_length=10, batch_size=8, shuffle=True, seed=1)
shuffled_pairs_agree = all(
    bool(np.all(np.asarray(x)[:, 0] + 10 == np.asarray(y)))
    for x, y in shuffled)
start_end = keras.utils.timeseries_dataset_from_array(
    data, None, sequence_length=5, start_index=20, end_index=40, batch_size=100)
start_end_shape = tuple(next(iter(start_end)).shape)
start_end_first_last = [int(np.asarray(next(iter(start_end)))[0, 0]),
                        int(np.asarray(next(iter(start_end)))[-1, -1])]

# Géron: forecast a noisy daily series (two seasonalities) 1 step ahead from 28 days.
rng = np.random.default_rng(6)
t = np.arange(900)
series = (np.sin(2 * np.pi * t / 7) + 0.5 * np.sin(2 * np.pi * t / 30)
          + 0.1 * rng.normal(size=900)).astype("float32")
seq_length = 28
train_series, valid_series = series[:700], series[700:]
train_ds = keras.utils.timeseries_dataset_from_array(
    train_series, targets=train_series[seq_length:], sequence_length=seq_length,
    batch_size=32, shuffle=True, seed=42)
valid_ds = keras.utils.timeseries_dataset_from_array(
    valid_series, targets=valid_series[seq_length:], sequence_length=seq_length,
    batch_size=32)
train_batches = len(list(train_ds))

# A linear model, then a small RNN, as the chapter compares them.
linear_model = keras.Sequential([keras.Input(shape=[seq_length]), layers.Dense(1)])
linear_model.compile(loss=keras.losses.Huber(), optimizer=keras.optimizers.SGD(
    learning_rate=0.02, momentum=0.9), metrics=["mae"])
early_stopping_cb = keras.callbacks.EarlyStopping(monitor="val_mae", patience=5,
                                                  restore_best_weights=True)
history = linear_model.fit(train_ds, validation_data=valid_ds, epochs=20, verbose=0,
                           callbacks=[early_stopping_cb])
linear_history_keys = sorted(history.history)
linear_val_mae = min(history.history["val_mae"])

# Windows with a feature axis for the RNN: expand each input window to (28, 1).
def add_feature_axis(array):
    return array[..., None]


rnn_model = keras.Sequential([
    keras.Input(shape=[None, 1]),
    layers.SimpleRNN(16, return_sequences=True),
    layers.SimpleRNN(16),
    layers.Dense(1),
])
rnn_model.compile(loss=keras.losses.Huber(), optimizer="adam", metrics=["mae"])
rnn_model.summary()
rnn_params = rnn_model.count_params()
x_windows = np.stack([train_series[i:i + seq_length] for i in range(700 - seq_length)])
y_next = train_series[seq_length:]
history = rnn_model.fit(add_feature_axis(x_windows), y_next, epochs=6, batch_size=32,
                        verbose=0)
rnn_losses = history.history["loss"]

# Predict on a windowed dataset without targets, and evaluate on one with them.
predict_ds = keras.utils.timeseries_dataset_from_array(
    valid_series[:-1], targets=None, sequence_length=seq_length, batch_size=32)
forecasts = linear_model.predict(predict_ds, verbose=0)
forecast_shape = forecasts.shape
expected_forecasts = len(valid_series) - seq_length
actual = valid_series[seq_length:]
forecast_mae = float(np.mean(np.abs(forecasts[:, 0] - actual)))
naive_mae = float(np.mean(np.abs(valid_series[seq_length - 7:-7] - actual)))
eval_results = linear_model.evaluate(valid_ds, verbose=0, return_dict=True)
eval_keys = sorted(eval_results)
evaluate_matches_forecasts = bool(np.isclose(eval_results["mae"], forecast_mae, rtol=1e-4))
