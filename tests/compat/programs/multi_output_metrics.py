"""Deep Learning with Python's multi-output model: per-output losses, metrics and weights."""
import numpy as np

import lamina as keras
from lamina import layers

# Posts (bags of 500 words) -> the author's age, income group (10 classes) and gender.
rng = np.random.default_rng(3)
vocabulary_size = 500
num_income_groups = 10
num_samples = 640
posts = (rng.uniform(size=(num_samples, vocabulary_size)) < 0.05).astype("float32")
age_targets = (20 + 40 * posts[:, :50].mean(axis=1) * 10).astype("float32")
income_targets = (posts[:, 50:100].sum(axis=1) % num_income_groups).astype("int64")
gender_targets = (posts[:, 100:150].sum(axis=1) > posts[:, 150:200].sum(axis=1)).astype("float32")

posts_input = keras.Input(shape=(vocabulary_size,), name="posts")
x = layers.Dense(64, activation="relu")(posts_input)
x = layers.Dense(64, activation="relu")(x)
age_prediction = layers.Dense(1, name="age")(x)
income_prediction = layers.Dense(num_income_groups, activation="softmax", name="income")(x)
gender_prediction = layers.Dense(1, activation="sigmoid", name="gender")(x)
model = keras.Model(posts_input, [age_prediction, income_prediction, gender_prediction])
model.summary()
output_names = model.output_names
param_count = model.count_params()
output_shapes = model.output_shape

# Losses, weights and metrics as dicts keyed by the output layers' names.
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={"age": "mse", "income": "sparse_categorical_crossentropy",
          "gender": "binary_crossentropy"},
    loss_weights={"age": 0.01, "income": 1.0, "gender": 10.0},
    metrics={"age": ["mae"], "income": "accuracy",
             "gender": ["accuracy", keras.metrics.AUC(name="auc")]},
)
targets = {"age": age_targets, "income": income_targets, "gender": gender_targets}
history = model.fit(posts, targets, epochs=6, batch_size=64, validation_split=0.2, verbose=0)
history_keys = sorted(history.history)
first_loss = history.history["loss"][0]
last_loss = history.history["loss"][-1]
gender_accuracy = history.history["gender_accuracy"][-1]
eval_dict = model.evaluate(posts, targets, verbose=0, return_dict=True)
eval_keys = sorted(eval_dict)
eval_list = model.evaluate(posts, targets, verbose=0)
eval_list_length = len(eval_list)
metrics_names = model.metrics_names
eval_list_order = [next(k for k, v in eval_dict.items() if v == value) for value in eval_list]
weighted_sum = (0.01 * eval_dict["age_loss"] + eval_dict["income_loss"]
                + 10.0 * eval_dict["gender_loss"])
total_is_weighted_sum = bool(np.isclose(eval_dict["loss"], weighted_sum, rtol=1e-3))

age_pred, income_pred, gender_pred = model.predict(posts[:5], verbose=0)
prediction_shapes = [age_pred.shape, income_pred.shape, gender_pred.shape]
income_rows_sum_to_one = bool(np.allclose(income_pred.sum(axis=1), 1.0, atol=1e-5))

# Lists in output order work the same; a None loss leaves an output untrained.
model = keras.Model(posts_input, [age_prediction, income_prediction, gender_prediction])
model.compile(optimizer="rmsprop",
              loss=["mse", "sparse_categorical_crossentropy", "binary_crossentropy"],
              loss_weights=[0.25, 1.0, 10.0],
              metrics=[["mae"], ["accuracy"], ["accuracy"]])
history = model.fit(posts, [age_targets, income_targets, gender_targets], epochs=2,
                    batch_size=64, verbose=0)
list_history_keys = sorted(history.history)

model = keras.Model(posts_input, {"age": age_prediction, "gender": gender_prediction})
model.compile(optimizer="adam", loss={"age": None, "gender": "binary_crossentropy"},
              metrics={"gender": [keras.metrics.BinaryAccuracy(name="acc"),
                                  keras.metrics.Precision(name="precision")]})
history = model.fit(posts, {"age": age_targets, "gender": gender_targets}, epochs=2,
                    batch_size=64, verbose=0)
dict_output_history_keys = sorted(history.history)
dict_predictions = model.predict(posts[:4], verbose=0)
dict_prediction_keys = sorted(dict_predictions)
dict_prediction_shapes = {k: v.shape for k, v in dict_predictions.items()}

# Weighted metrics per output, and sample weights per output.
model = keras.Model(posts_input, [age_prediction, gender_prediction])
model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"],
              metrics=[[], ["accuracy"]], weighted_metrics=[["mae"], []])
sample_weight = [np.ones(num_samples), (gender_targets * 2 + 1).astype("float32")]
history = model.fit(posts, [age_targets, gender_targets], sample_weight=sample_weight,
                    epochs=1, batch_size=64, verbose=0)
weighted_history_keys = sorted(history.history)
