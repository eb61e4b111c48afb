"""Convolutional autoencoder for image denoising (keras.io), on small synthetic images."""
import numpy as np

import lamina as keras
from lamina import layers


def preprocess(array):
    """Normalizes the supplied array and reshapes it."""
    array = array.astype("float32") / 255.0
    return np.reshape(array, (len(array), 16, 16, 1))


def noise(array):
    """Adds random noise to each image in the supplied array."""
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0)


# "Digits": bright bars and squares at random places on a dark 16x16 canvas.
rng = np.random.default_rng(8)
canvas = np.zeros((320, 16, 16), dtype="uint8")
for image in canvas:
    top, left = rng.integers(1, 9, size=2)
    if rng.random() < 0.5:
        image[top:top + 6, left:left + 2] = 255
    else:
        image[top:top + 4, left:left + 4] = 255
train_data = preprocess(canvas[:256])
test_data = preprocess(canvas[256:])
np.random.seed(0)
noisy_train_data = noise(train_data)
noisy_test_data = noise(test_data)

input = layers.Input(shape=(16, 16, 1))

# Encoder
x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)

# Decoder
x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

autoencoder = keras.Model(input, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()
layer_shapes = [layer.output.shape for layer in autoencoder.layers]

history = autoencoder.fit(x=train_data, y=train_data, epochs=6, batch_size=32, shuffle=True,
                          validation_data=(test_data, test_data), verbose=0)
reconstruction_losses = history.history["val_loss"]

# Then train the same network to remove noise.
denoise_history = autoencoder.fit(x=noisy_train_data, y=train_data, epochs=6, batch_size=32,
                                  shuffle=True, validation_data=(noisy_test_data, test_data),
                                  verbose=0)
predictions = autoencoder.predict(noisy_test_data, verbose=0)
noisy_mse = float(np.mean((noisy_test_data - test_data) ** 2))
denoised_mse = float(np.mean((predictions - test_data) ** 2))
print("noisy mse:", noisy_mse, "denoised mse:", denoised_mse)
