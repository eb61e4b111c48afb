"""Serialization & saving guide: custom layers with get_config, registration, custom_objects."""
import math

import numpy as np

import lamina as keras
from lamina import layers, ops


@keras.saving.register_keras_serializable(package="MyLayers")
class CustomLayer(layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor})
        return config


@keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
def custom_fn(x):
    return x**2


class Linear(layers.Layer):
    """The guide's Linear layer: weights from build(), units in the config."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True, name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True, name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class CustomModel(keras.Model):
    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.dense_layers = [layers.Dense(u) for u in hidden_units]

    def call(self, inputs):
        x = inputs
        for layer in self.dense_layers:
            x = layer(x)
        return x

    def get_config(self):
        return {"hidden_units": self.hidden_units}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


registered_name = keras.saving.get_registered_name(CustomLayer)
registered_fn_name = keras.saving.get_registered_name(custom_fn)
found_by_name = keras.saving.get_registered_object("MyLayers>CustomLayer") is CustomLayer

# get_config / from_config round trips, by hand.
layer = CustomLayer(0.5, name="scale")
config = layer.get_config()
config_keys = sorted(config)
clone = CustomLayer.from_config(config)
clone_factor = clone.factor
serialized = keras.saving.serialize_keras_object(layer)
serialized_class_name = serialized["class_name"]
serialized_registered_name = serialized["registered_name"]
serialized_module = serialized["module"]
revived = keras.saving.deserialize_keras_object(serialized)
revived_type = type(revived).__name__

linear = Linear(4)
linear(np.ones((1, 3), "float32"))
linear_config = linear.get_config()
new_linear = Linear.from_config(linear_config)
new_linear_built = new_linear.built
linear_weight_names = [w.name for w in linear.weights]

dense_config = layers.Dense(3, activation="relu", name="d").get_config()
dense_config_keys = sorted(dense_config)
dense_from_config = layers.Dense.from_config(dense_config)
dense_round_trip = dense_from_config.get_config() == dense_config

# A model with a registered layer, a registered function in a Lambda-free call, and a
# custom (unregistered) layer that needs custom_objects.
inputs = keras.Input((32,))
x = CustomLayer(2.0)(inputs)
x = Linear(16, name="linear")(x)
outputs = layers.Activation(custom_fn)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
rng = np.random.default_rng(0)
data = rng.random((64, 32)).astype("float32")
model.fit(data, rng.random((64, 16)).astype("float32"), epochs=1, verbose=0)
model.save("custom_model.keras")
reconstructed_model = keras.models.load_model("custom_model.keras",
                                              custom_objects={"Linear": Linear})
predictions_match = bool(np.allclose(model.predict(data, verbose=0),
                                     reconstructed_model.predict(data, verbose=0), atol=1e-6))
reconstructed_layer_types = [type(layer).__name__ for layer in reconstructed_model.layers]
reconstructed_optimizer = type(reconstructed_model.optimizer).__name__
optimizer_state_restored = int(reconstructed_model.optimizer.iterations) == int(
    model.optimizer.iterations)

try:
    keras.models.load_model("custom_model.keras")
    loads_without_custom_objects = True
except (TypeError, ValueError):
    loads_without_custom_objects = False

# custom_object_scope does the same as custom_objects.
with keras.saving.custom_object_scope({"Linear": Linear}):
    scoped = keras.models.load_model("custom_model.keras")
scoped_layer_count = len(scoped.layers)

# A subclassed model saved whole: it comes back through get_config / from_config.
subclassed = CustomModel([16, 16, 10])
subclassed(np.ones((2, 8), "float32"))
subclassed.save("subclassed.keras")
loaded_subclassed = keras.models.load_model("subclassed.keras",
                                            custom_objects={"CustomModel": CustomModel})
subclassed_matches = bool(np.allclose(subclassed.predict(data[:4, :8], verbose=0),
                                      loaded_subclassed.predict(data[:4, :8], verbose=0)))
subclassed_type = type(loaded_subclassed).__name__

# Weights alone, and the model's config through clone-like from_config.
model.save_weights("custom.weights.h5")
fresh = keras.Model.from_config(model.get_config(), custom_objects={"Linear": Linear})
fresh.load_weights("custom.weights.h5")
weights_match = all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(),
                                                         model.get_weights()))
json_config = model.to_json()
from_json = keras.models.model_from_json(json_config, custom_objects={"Linear": Linear})
from_json_layer_names = [layer.name for layer in from_json.layers]


# A PyDataset feeding fit, evaluate and predict, as the utilities' docs write it.
class CIFAR10PyDataset(keras.utils.PyDataset):
    def __init__(self, x_set, y_set, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        low = idx * self.batch_size
        high = min(low + self.batch_size, len(self.x))
        batch_x = self.x[low:high]
        batch_y = self.y[low:high]
        return batch_x, batch_y


x_all = rng.normal(size=(200, 8)).astype("float32")
y_all = (x_all[:, 0] > 0).astype("int32")
train_sequence = CIFAR10PyDataset(x_all, y_all, batch_size=32)
sequence_length = len(train_sequence)
last_batch_shape = train_sequence[len(train_sequence) - 1][0].shape
classifier = keras.Sequential([keras.Input((8,)), layers.Dense(8, activation="relu"),
                               layers.Dense(2, activation="softmax")])
classifier.compile(optimizer=keras.optimizers.Adam(0.05),
                   loss="sparse_categorical_crossentropy", metrics=["accuracy"])
seen_steps = []
history = classifier.fit(train_sequence, epochs=5, verbose=0,
                         callbacks=[keras.callbacks.LambdaCallback(
                             on_epoch_end=lambda e, logs: seen_steps.append(e))])
pydataset_accuracy = history.history["accuracy"][-1]
pydataset_epochs = len(seen_steps)
eval_on_sequence = classifier.evaluate(train_sequence, verbose=0, return_dict=True)
predict_on_sequence_shape = classifier.predict(train_sequence, verbose=0).shape
