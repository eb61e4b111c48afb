"""The Functional API guide: graphs of layers, models as layers, ensembles (small data)."""
import numpy as np

import lamina as keras
from lamina import layers

# A digits-style classifier built as a graph of layers.
inputs = keras.Input(shape=(784,))
dense = layers.Dense(64, activation="relu")
x = dense(inputs)
x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
model.summary()
input_shape, output_shape = inputs.shape, outputs.shape

# Fake "digits": ten prototypes plus noise, so a small MLP can learn them.
rng = np.random.default_rng(1)
prototypes = rng.uniform(0, 1, size=(10, 784)).astype("float32")
y_train = rng.integers(0, 10, size=600)
x_train = prototypes[y_train] + rng.normal(0, 0.3, size=(600, 784)).astype("float32")
y_test = rng.integers(0, 10, size=200)
x_test = prototypes[y_test] + rng.normal(0, 0.3, size=(200, 784)).astype("float32")

model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=3, validation_split=0.2, verbose=0)
test_scores = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", test_scores[0])
print("Test accuracy:", test_scores[1])

# One graph, two models: an encoder and an autoencoder sharing layers.
encoder_input = keras.Input(shape=(28, 28, 1), name="img")
x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.MaxPooling2D(3)(x)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
encoder_output = layers.GlobalMaxPooling2D()(x)
encoder = keras.Model(encoder_input, encoder_output, name="encoder")

x = layers.Reshape((4, 4, 1))(encoder_output)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
x = layers.UpSampling2D(3)(x)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
autoencoder = keras.Model(encoder_input, decoder_output, name="autoencoder")
autoencoder_output_shape = autoencoder.output_shape

# Models are callable like layers: a decoder model nested in an autoencoder model.
decoder_input = keras.Input(shape=(16,), name="encoded_img")
x = layers.Reshape((4, 4, 1))(decoder_input)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
x = layers.UpSampling2D(3)(x)
x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
decoder = keras.Model(decoder_input, decoder_output, name="decoder")

autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
encoded_img = encoder(autoencoder_input)
decoded_img = decoder(encoded_img)
nested_autoencoder = keras.Model(autoencoder_input, decoded_img, name="autoencoder")
images = rng.uniform(0, 1, size=(4, 28, 28, 1)).astype("float32")
nested_matches = bool(np.allclose(nested_autoencoder.predict(images, verbose=0),
                                  decoder.predict(encoder.predict(images, verbose=0), verbose=0),
                                  atol=1e-6))


# An ensemble: several models averaged into one.
def get_model():
    inputs = keras.Input(shape=(128,))
    outputs = layers.Dense(1)(inputs)
    return keras.Model(inputs, outputs)


model1, model2, model3 = get_model(), get_model(), get_model()
inputs = keras.Input(shape=(128,))
y1, y2, y3 = model1(inputs), model2(inputs), model3(inputs)
outputs = layers.average([y1, y2, y3])
ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
probe = rng.normal(size=(5, 128)).astype("float32")
ensemble_prediction = ensemble_model.predict(probe, verbose=0)
mean_of_members = np.mean([m.predict(probe, verbose=0) for m in (model1, model2, model3)], 0)

# Model weights save and reload into a freshly built twin.
config = model.get_config()
twin = keras.Model.from_config(config)
twin.set_weights(model.get_weights())
twin_predictions_match = bool(np.allclose(twin.predict(x_test, verbose=0),
                                          model.predict(x_test, verbose=0), atol=1e-6))
