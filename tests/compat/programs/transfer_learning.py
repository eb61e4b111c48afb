"""Transfer learning & fine-tuning: freezing, BatchNormalization in a frozen base, recompiling."""
import numpy as np

import lamina as keras
from lamina import layers

# `trainable` moves a layer's weights between trainable and non-trainable.
layer = keras.layers.Dense(3)
layer.build((None, 4))
layer.trainable = False
frozen_counts = (len(layer.weights), len(layer.trainable_weights),
                 len(layer.non_trainable_weights))

# BatchNormalization has two trainable and two non-trainable weights.
bn = keras.layers.BatchNormalization()
bn.build((None, 4))
bn_counts = (len(bn.weights), len(bn.trainable_weights), len(bn.non_trainable_weights))

# A frozen layer's weights do not move during fit.
layer1 = keras.layers.Dense(3, activation="relu")
layer2 = keras.layers.Dense(3, activation="sigmoid")
model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])
layer1.trainable = False
initial_layer1_weights_values = layer1.get_weights()
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.random((2, 3)), np.random.random((2, 3)), verbose=0)
final_layer1_weights_values = layer1.get_weights()
layer1_unchanged = all(np.array_equal(a, b) for a, b in
                       zip(initial_layer1_weights_values, final_layer1_weights_values))

# trainable is recursive: freezing a model freezes the layers inside.
inner_model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(3, activation="relu"),
                                keras.layers.Dense(3, activation="relu")])
model = keras.Sequential([keras.Input(shape=(3,)), inner_model,
                          keras.layers.Dense(3, activation="sigmoid")])
model.trainable = False
recursive_freeze = inner_model.trainable is False and inner_model.layers[0].trainable is False

# A "pretrained" base: a small conv net trained on one task, with BatchNormalization.
rng = np.random.default_rng(2)


def make_images(count, classes):
    labels = rng.integers(0, classes, size=count)
    images = rng.normal(0, 0.3, size=(count, 12, 12, 3)).astype("float32")
    for i, label in enumerate(labels):
        row = rng.integers(0, 9)
        images[i, row:row + 3, :, label] += 2.0
    return images, labels


x_source, y_source = make_images(256, 3)
base_model = keras.Sequential([
    keras.Input(shape=(12, 12, 3)),
    layers.Conv2D(8, 3, padding="same"),
    layers.BatchNormalization(),
    layers.Activation("relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(8, 3, padding="same", activation="relu"),
    layers.GlobalAveragePooling2D(),
], name="base")
pretraining = keras.Sequential([base_model, layers.Dense(3)])
pretraining.compile(optimizer=keras.optimizers.Adam(0.01),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
pretraining_history = pretraining.fit(x_source, y_source, epochs=4, batch_size=32, verbose=0)
print("pretraining:", pretraining_history.history["accuracy"][-1])

# The transfer: freeze the base, call it with training=False so BatchNormalization stays in
# inference mode even when the whole model is later unfrozen for fine-tuning.
base_model.trainable = False
inputs = keras.Input(shape=(12, 12, 3))
x = layers.RandomFlip("horizontal")(inputs)
x = base_model(x, training=False)
x = keras.layers.Dropout(0.2)(x)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.summary(show_trainable=True)
trainable_weight_count = len(model.trainable_weights)

x_target, y_target_classes = make_images(256, 3)
y_target = (y_target_classes == 0).astype("float32")
bn_layer = base_model.layers[1]
moving_mean_before = bn_layer.moving_mean.numpy().copy()
base_weights_before = [w.copy() for w in base_model.get_weights()]
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy()])
history = model.fit(x_target, y_target, epochs=15, batch_size=32, verbose=0)
base_unchanged = all(np.array_equal(a, b) for a, b in zip(base_weights_before,
                                                          base_model.get_weights()))
head_accuracy = model.evaluate(x_target, y_target, verbose=0)[1]
print("head only:", head_accuracy)

# Fine-tuning: unfreeze, recompile (so the change takes effect), train with a small rate.
base_model.trainable = True
model.summary(show_trainable=True)
model.compile(optimizer=keras.optimizers.Adam(1e-4),
              loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy()])
fine_history = model.fit(x_target, y_target, epochs=2, batch_size=32, verbose=0)
moving_mean_after = bn_layer.moving_mean.numpy()
bn_stats_unchanged = bool(np.array_equal(moving_mean_before, moving_mean_after))
conv_kernel_moved = not np.array_equal(base_weights_before[0], base_model.get_weights()[0])
fine_tuned_accuracy = fine_history.history["binary_accuracy"][-1]
print("fine-tuned:", fine_tuned_accuracy)
