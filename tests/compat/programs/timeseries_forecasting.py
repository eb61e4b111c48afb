"""Timeseries forecasting with an LSTM (keras.io weather example, on a synthetic series)."""
import numpy as np

import lamina as keras

# Two features sampled every step: a daily-like cycle and a slower drifting one.
steps = np.arange(1600)
temperature = np.sin(2 * np.pi * steps / 48) + 0.1 * np.random.default_rng(0).normal(size=1600)
pressure = np.cos(2 * np.pi * steps / 200)
features = np.stack([temperature, pressure], axis=1).astype("float32")

split_fraction = 0.715
train_split = int(split_fraction * int(features.shape[0]))
step = 1
past = 72
future = 6
learning_rate = 0.005
batch_size = 64
epochs = 5


def normalize(data, train_split):
    data_mean = data[:train_split].mean(axis=0)
    data_std = data[:train_split].std(axis=0)
    return (data - data_mean) / data_std


features = normalize(features, train_split)
train_data = features[0:train_split - 1]
val_data = features[train_split:]

# Predict the temperature `future` steps after each window of `past` steps.
start = past + future
end = start + train_split
x_train = train_data
y_train = features[start:end][:, [0]]
sequence_length = int(past / step)

dataset_train = keras.utils.timeseries_dataset_from_array(
    x_train, y_train, sequence_length=sequence_length, sampling_rate=step,
    batch_size=batch_size)

x_end = len(val_data) - past - future
label_start = train_split + past + future
x_val = val_data[:x_end]
y_val = features[label_start:][:, [0]]
dataset_val = keras.utils.timeseries_dataset_from_array(
    x_val, y_val, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size)

for batch in dataset_train.take(1):
    inputs, targets = batch
print("Input shape:", tuple(inputs.shape))
print("Target shape:", tuple(targets.shape))
first_batch_shapes = (tuple(inputs.shape), tuple(targets.shape))

inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
lstm_out = keras.layers.LSTM(16)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
model.summary()

path_checkpoint = None  # the example saves checkpoints; here EarlyStopping alone
es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=5)
history = model.fit(dataset_train, epochs=epochs, validation_data=dataset_val,
                    callbacks=[es_callback], verbose=0)
val_losses = history.history["val_loss"]
print("val loss per epoch:", [round(v, 4) for v in val_losses])

# A single forecast, as the example plots.
for x, y in dataset_val.take(1):
    forecast = model.predict(x, verbose=0)
    forecast_error = float(np.mean((forecast[:, 0] - np.asarray(y)[:, 0]) ** 2))
print("forecast mse:", forecast_error)
