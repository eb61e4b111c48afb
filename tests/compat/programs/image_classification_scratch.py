"""Image classification from scratch (keras.io): augmentation layers, a small Xception-style net."""
import os

import numpy as np

import lamina as keras
from lamina import layers

image_size = (24, 24)
num_classes = 2

# "Cats and dogs": bright discs vs bright squares on noisy backgrounds, 0-255 like JPEG pixels.
rng = np.random.default_rng(8)
n = 224
images = rng.uniform(0, 60, size=(n,) + image_size + (3,)).astype("float32")
labels = rng.integers(0, 2, size=n)
yy, xx = np.mgrid[:24, :24]
for i in range(n):
    cy, cx, r = rng.integers(8, 16), rng.integers(8, 16), rng.integers(4, 7)
    if labels[i]:
        shape = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r)
    else:
        shape = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    images[i][shape] += 180
images = np.clip(images, 0, 255)
x_train, y_train = images[:192], labels[:192]
x_val, y_val = images[192:], labels[192:]

data_augmentation_layers = [
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
]


def data_augmentation(images):
    for layer in data_augmentation_layers:
        images = layer(images)
    return images


augmented = data_augmentation(x_train[:9])
augmented_shape = tuple(augmented.shape)
augmentation_is_identity_at_inference = bool(np.array_equal(
    keras.ops.convert_to_numpy(layers.RandomFlip("horizontal")(x_train[:2], training=False)),
    x_train[:2]))

# The Sequential form of the same augmentation, as the book's chapter 8 writes it.
augmentation = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                                 layers.RandomZoom(0.2)], name="data_augmentation")
sequential_augmented_shape = tuple(augmentation(x_train[:4], training=True).shape)
augmentation_changes_pixels = not np.allclose(
    keras.ops.convert_to_numpy(augmentation(x_train[:4], training=True)), x_train[:4])


def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = augmentation(inputs)
    # Entry block
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    for size in [32, 64]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    x = layers.SeparableConv2D(128, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        units = 1
    else:
        units = num_classes

    x = layers.Dropout(0.25)(x)
    # We specify activation=None so as to return logits
    outputs = layers.Dense(units, activation=None)(x)
    return keras.Model(inputs, outputs)


model = make_model(input_shape=image_size + (3,), num_classes=2)
model.summary()
param_count = model.count_params()
trainable_param_count = int(sum(np.prod(w.shape) for w in model.trainable_weights))
layer_count = len(model.layers)
layer_types = sorted({type(layer).__name__ for layer in model.layers})
separable_weight_shapes = [tuple(w.shape) for w in model.layers[9].weights]
separable_config_keys = sorted(model.layers[9].get_config())
output_shape = model.output_shape

model.compile(
    optimizer=keras.optimizers.Adam(3e-3),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy(name="acc")],
)
callbacks = [keras.callbacks.ModelCheckpoint("save_at_{epoch}.keras")]
history = model.fit(x_train, y_train, epochs=4, batch_size=32, callbacks=callbacks,
                    validation_data=(x_val, y_val), verbose=0)
history_keys = sorted(history.history)
train_accuracies = history.history["acc"]
train_losses = history.history["loss"]

checkpoints = sorted(name for name in os.listdir(".") if name.startswith("save_at_"))
restored = keras.models.load_model("save_at_4.keras")
restored_predictions_match = bool(np.allclose(restored.predict(x_val, verbose=0),
                                              model.predict(x_val, verbose=0), atol=1e-5))

# Inference on new data: the logit through a sigmoid.
img_array = keras.ops.expand_dims(x_val[0], 0)
predictions = model.predict(img_array, verbose=0)
score = float(keras.ops.sigmoid(predictions[0][0]))
score_in_unit_range = 0.0 <= score <= 1.0
