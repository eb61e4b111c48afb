"""Géron's Wide & Deep network (Hands-On ML, ch. 10): two inputs, two outputs, subclassing."""
import numpy as np

import lamina as keras
from lamina import layers

# A housing-like regression problem: 8 features, a smooth target.
rng = np.random.default_rng(42)
X = rng.normal(size=(1200, 8)).astype("float32") * [1, 10, 2, 0.5, 100, 3, 1, 1] + 5
y = (np.sin(X[:, 0]) + 0.01 * X[:, 1] + 0.2 * X[:, 2] - 0.001 * X[:, 4]
     + 0.05 * rng.normal(size=1200)).astype("float32")[:, None]
X_train, X_valid, X_test = X[:800], X[800:1000], X[1000:]
y_train, y_valid, y_test = y[:800], y[800:1000], y[1000:]

# The plain Wide & Deep: the whole input goes both through the deep path and straight out.
normalization_layer = layers.Normalization()
hidden_layer1 = layers.Dense(30, activation="relu")
hidden_layer2 = layers.Dense(30, activation="relu")
concat_layer = layers.Concatenate()
output_layer = layers.Dense(1)

input_ = layers.Input(shape=X_train.shape[1:])
normalized = normalization_layer(input_)
hidden1 = hidden_layer1(normalized)
hidden2 = hidden_layer2(hidden1)
concat = concat_layer([normalized, hidden2])
output = output_layer(concat)
model = keras.Model(inputs=[input_], outputs=[output])
model.summary()
single_param_count = model.count_params()
single_trainable_count = int(sum(np.prod(w.shape) for w in model.trainable_weights))
normalization_weights = [w.name for w in normalization_layer.weights]

# Five features through the wide path, six through the deep one.
input_wide = layers.Input(shape=[5])
input_deep = layers.Input(shape=[6])
norm_layer_wide = layers.Normalization()
norm_layer_deep = layers.Normalization()
norm_wide = norm_layer_wide(input_wide)
norm_deep = norm_layer_deep(input_deep)
hidden1 = layers.Dense(30, activation="relu")(norm_deep)
hidden2 = layers.Dense(30, activation="relu")(hidden1)
concat = layers.concatenate([norm_wide, hidden2])
output = layers.Dense(1)(concat)
model = keras.Model(inputs=[input_wide, input_deep], outputs=[output])

optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]

norm_layer_wide.adapt(X_train_wide)
norm_layer_deep.adapt(X_train_deep)
adapted_mean_shape = tuple(norm_layer_wide.mean.shape)
adapted_mean_close = bool(np.allclose(keras.ops.convert_to_numpy(norm_layer_deep.mean)[0],
                                      X_train_deep.mean(axis=0), rtol=1e-4, atol=1e-3))
history = model.fit((X_train_wide, X_train_deep), y_train, epochs=20, verbose=0,
                    validation_data=((X_valid_wide, X_valid_deep), y_valid))
two_input_history_keys = sorted(history.history)
two_input_val_rmse = history.history["val_RootMeanSquaredError"][-1]
mse_test = model.evaluate((X_test_wide, X_test_deep), y_test, verbose=0)
two_input_eval_length = len(mse_test)
y_pred = model.predict((X_new_wide, X_new_deep), verbose=0)
two_input_prediction_shape = y_pred.shape

# The same inputs given by name, as a dict.
input_wide = layers.Input(shape=[5], name="input_wide")
input_deep = layers.Input(shape=[6], name="input_deep")
norm_layer_wide = layers.Normalization()
norm_layer_deep = layers.Normalization()
norm_wide = norm_layer_wide(input_wide)
norm_deep = norm_layer_deep(input_deep)
hidden1 = layers.Dense(30, activation="relu")(norm_deep)
hidden2 = layers.Dense(30, activation="relu")(hidden1)
concat = layers.concatenate([norm_wide, hidden2])
output = layers.Dense(1)(concat)
aux_output = layers.Dense(1)(hidden2)
model = keras.Model(inputs=[input_wide, input_deep], outputs=[output, aux_output])
model.summary()
two_output_names = model.output_names
two_output_params = model.count_params()

optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1), optimizer=optimizer,
              metrics=["RootMeanSquaredError", "RootMeanSquaredError"])
norm_layer_wide.adapt(X_train_wide)
norm_layer_deep.adapt(X_train_deep)
history = model.fit(
    {"input_wide": X_train_wide, "input_deep": X_train_deep}, (y_train, y_train), epochs=20,
    verbose=0,
    validation_data=({"input_wide": X_valid_wide, "input_deep": X_valid_deep},
                     (y_valid, y_valid)),
)
two_output_history_keys = sorted(history.history)
eval_results = model.evaluate((X_test_wide, X_test_deep), (y_test, y_test), verbose=0)
weighted_sum_of_losses, main_loss, aux_loss, main_rmse, aux_rmse = eval_results
eval_result_count = len(eval_results)
weighted_loss_matches = bool(np.isclose(weighted_sum_of_losses, 0.9 * main_loss + 0.1 * aux_loss,
                                        rtol=1e-3))
eval_dict_keys = sorted(model.evaluate((X_test_wide, X_test_deep), (y_test, y_test), verbose=0,
                                       return_dict=True))
y_pred_main, y_pred_aux = model.predict((X_new_wide, X_new_deep), verbose=0)
y_pred_tuple = model.predict((X_new_wide, X_new_deep), verbose=0)
y_pred_dict = dict(zip(model.output_names, y_pred_tuple))
prediction_dict_shapes = {name: pred.shape for name, pred in y_pred_dict.items()}
predict_returns = type(y_pred_tuple).__name__


# The Subclassing API version.
class WideAndDeepModel(keras.Model):
    def __init__(self, units=30, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.norm_layer_wide = layers.Normalization()
        self.norm_layer_deep = layers.Normalization()
        self.hidden1 = layers.Dense(units, activation=activation)
        self.hidden2 = layers.Dense(units, activation=activation)
        self.main_output = layers.Dense(1)
        self.aux_output = layers.Dense(1)

    def call(self, inputs):
        input_wide, input_deep = inputs
        norm_wide = self.norm_layer_wide(input_wide)
        norm_deep = self.norm_layer_deep(input_deep)
        hidden1 = self.hidden1(norm_deep)
        hidden2 = self.hidden2(hidden1)
        concat = layers.concatenate([norm_wide, hidden2])
        output = self.main_output(concat)
        aux_output = self.aux_output(hidden2)
        return output, aux_output


model = WideAndDeepModel(30, activation="relu", name="my_cool_model")
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss=("mse", "mse"), loss_weights=[0.9, 0.1], optimizer=optimizer,
              metrics=["RootMeanSquaredError", "RootMeanSquaredError"])
model.norm_layer_wide.adapt(X_train_wide)
model.norm_layer_deep.adapt(X_train_deep)
history = model.fit((X_train_wide, X_train_deep), (y_train, y_train), epochs=20, verbose=0,
                    validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid)))
subclass_history_keys = sorted(history.history)
subclass_eval = model.evaluate((X_test_wide, X_test_deep), (y_test, y_test), verbose=0)
subclass_eval_length = len(subclass_eval)
subclass_main_loss = subclass_eval[1]
y_pred_main, y_pred_aux = model.predict((X_new_wide, X_new_deep), verbose=0)
subclass_prediction_shapes = [y_pred_main.shape, y_pred_aux.shape]
subclass_layer_count = len(model.layers)
subclass_param_count = model.count_params()
subclass_name = model.name
