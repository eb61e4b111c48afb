"""Functional API: a multi-input, multi-output ticket ranker with loss dicts and loss_weights."""
import numpy as np

import lamina as keras
from lamina import layers

num_tags = 12
num_words = 1000
num_departments = 4

title_input = keras.Input(shape=(None,), name="title")
body_input = keras.Input(shape=(None,), name="body")
tags_input = keras.Input(shape=(num_tags,), name="tags")

title_features = layers.Embedding(num_words, 64)(title_input)
body_features = layers.Embedding(num_words, 64)(body_input)
title_features = layers.LSTM(128)(title_features)
body_features = layers.LSTM(32)(body_features)

x = layers.concatenate([title_features, body_features, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)

model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs={"priority": priority_pred, "department": department_pred},
)
model.summary()

# Tickets whose department is told by their tags and whose priority by their title.
rng = np.random.default_rng(7)
n = 256
title_data = rng.integers(0, num_words, size=(n, 10))
body_data = rng.integers(0, num_words, size=(n, 20))
department_targets = rng.integers(0, num_departments, size=n)
tags_data = rng.integers(0, 2, size=(n, num_tags)).astype("float32")
tags_data[:, :num_departments] = keras.utils.to_categorical(department_targets, num_departments)
priority_targets = (title_data[:, 0] / num_words).reshape(-1, 1).astype("float32")
dept_onehot = keras.utils.to_categorical(department_targets, num_departments)

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
)
history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_onehot},
    epochs=4,
    batch_size=32,
    verbose=0,
)
loss_curve = history.history["loss"]
print("losses:", loss_curve)
history_keys = sorted(history.history)

predictions = model.predict({"title": title_data, "body": body_data, "tags": tags_data},
                            verbose=0)
prediction_shapes = {name: value.shape for name, value in predictions.items()}
department_accuracy = float(np.mean(predictions["department"].argmax(-1) == department_targets))
print("department accuracy:", department_accuracy)

# The same graph with its outputs as a list, compiled with lists and fed lists.
list_model = keras.Model(inputs=[title_input, body_input, tags_input],
                         outputs=[priority_pred, department_pred])
list_model.compile(
    optimizer="rmsprop",
    loss=[keras.losses.BinaryCrossentropy(from_logits=True),
          keras.losses.CategoricalCrossentropy(from_logits=True)],
    loss_weights=[1.0, 0.2],
)
list_history = list_model.fit([title_data, body_data, tags_data],
                              [priority_targets, dept_onehot], epochs=1, batch_size=32, verbose=0)
list_loss = list_history.history["loss"][0]
list_history_keys = sorted(list_history.history)
