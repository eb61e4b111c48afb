"""Making new layers and models via subclassing, as the Keras guide builds them up."""
import numpy as np

import lamina as keras
from lamina import layers, ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal",
                                 trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


x = ops.ones((2, 2))
linear_layer = Linear(4, 2)
y = linear_layer(x)
eager_weights_tracked = len(linear_layer.weights) == 2


class ComputeSum(keras.layers.Layer):
    """A layer with a non-trainable weight it updates in `call`."""

    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


my_sum = ComputeSum(2)
x = ops.ones((2, 2))
first_sum = ops.convert_to_numpy(my_sum(x))
second_sum = ops.convert_to_numpy(my_sum(x))
sum_weight_counts = (len(my_sum.weights), len(my_sum.non_trainable_weights),
                     len(my_sum.trainable_weights))


class LazyLinear(keras.layers.Layer):
    """Weights deferred to `build`, which learns the input size from the first call."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


lazy_layer = LazyLinear(32)
lazy_output_shape = tuple(lazy_layer(ops.ones((2, 2))).shape)
lazy_kernel_shape = tuple(lazy_layer.w.shape)


class MLPBlock(keras.layers.Layer):
    """Layers as attributes are tracked: their weights become this layer's weights."""

    def __init__(self):
        super().__init__()
        self.linear_1 = LazyLinear(32)
        self.linear_2 = LazyLinear(32)
        self.linear_3 = LazyLinear(1)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras.activations.relu(x)
        x = self.linear_2(x)
        x = keras.activations.relu(x)
        return self.linear_3(x)


mlp = MLPBlock()
mlp_output = mlp(ops.ones(shape=(3, 64)))
mlp_weight_count = len(mlp.weights)
mlp_trainable_count = len(mlp.trainable_weights)


class ActivityRegularizationLayer(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


class OuterLayer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.activity_reg = ActivityRegularizationLayer(1e-2)

    def call(self, inputs):
        return self.activity_reg(inputs)


layer = OuterLayer()
losses_before_call = len(layer.losses)
_ = layer(ops.zeros((1, 1)))
losses_after_first_call = len(layer.losses)
_ = layer(ops.zeros((1, 1)))
losses_after_second_call = len(layer.losses)


class OuterLayerWithKernelRegularizer(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(32, kernel_regularizer=keras.regularizers.l2(1e-3))

    def call(self, inputs):
        return self.dense(inputs)


layer = OuterLayerWithKernelRegularizer()
_ = layer(ops.zeros((1, 1)))
kernel_penalty = float(ops.convert_to_numpy(layer.losses[0]))
kernel_penalty_by_hand = 1e-3 * float(np.sum(ops.convert_to_numpy(layer.dense.kernel) ** 2))

# add_loss terms join the training loss inside fit.
inputs = keras.Input(shape=(3,))
outputs = ActivityRegularizationLayer()(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.random((2, 3)), np.random.random((2, 3)), verbose=0)
# With no compiled loss, the add_loss terms are the whole loss.
model.compile(optimizer="adam")
only_added_loss_history = model.fit(np.ones((2, 3)), np.ones((2, 3)), verbose=0).history["loss"]

# get_config / from_config round trip.
layer = LazyLinear(64)
config = layer.get_config()
new_layer = LazyLinear.from_config(config)
round_trip_units = new_layer.units


class CustomDropout(keras.layers.Layer):
    """Different behaviour in training and inference, chosen by the `training` argument."""

    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=None):
        if training:
            return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
        return inputs


dropout = CustomDropout(0.5)
data = ops.ones((10, 10))
inference_output = ops.convert_to_numpy(dropout(data))
training_output = ops.convert_to_numpy(dropout(data, training=True))


class MLP(keras.Model):
    """A Model subclass: the outer container, with fit/evaluate/save."""

    def __init__(self):
        super().__init__()
        self.dense_1 = layers.Dense(32, activation="relu")
        self.dropout = CustomDropout(0.2)
        self.dense_2 = layers.Dense(1, activation="sigmoid")

    def call(self, inputs, training=None):
        x = self.dense_1(inputs)
        x = self.dropout(x, training=training)
        return self.dense_2(x)


rng = np.random.default_rng(0)
x_train = rng.normal(size=(256, 4)).astype("float32")
y_train = (x_train.sum(axis=1) > 0).astype("float32")
mlp_model = MLP()
mlp_model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
mlp_history = mlp_model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
mlp_eval = mlp_model.evaluate(x_train, y_train, verbose=0, return_dict=True)
print("subclassed MLP:", mlp_eval)
