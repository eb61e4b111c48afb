"""Functional API: shared layers, a toy ResNet with residual adds, and layer-output features."""
import numpy as np

import lamina as keras
from lamina import layers

# A shared Embedding: one set of weights for two text inputs.
shared_embedding = layers.Embedding(1000, 128)
text_input_a = keras.Input(shape=(None,), dtype="int32")
text_input_b = keras.Input(shape=(None,), dtype="int32")
encoded_input_a = shared_embedding(text_input_a)
encoded_input_b = shared_embedding(text_input_b)
shared_model = keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])
shared_weight_count = len(shared_model.weights)
tokens = np.array([[3, 5, 7]])
a, b = shared_model.predict([tokens, tokens], verbose=0)
shared_outputs_equal = bool(np.array_equal(a, b))

# A toy ResNet for 32x32 colour images.
inputs = keras.Input(shape=(32, 32, 3), name="img")
x = layers.Conv2D(32, 3, activation="relu")(inputs)
x = layers.Conv2D(64, 3, activation="relu")(x)
block_1_output = layers.MaxPooling2D(3)(x)

x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_2_output = layers.add([x, block_1_output])

x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
block_3_output = layers.add([x, block_2_output])

x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(256, activation="relu")(x)
x = layers.Dropout(0.5)(x)
outputs = layers.Dense(10)(x)

model = keras.Model(inputs, outputs, name="toy_resnet")
model.summary()
param_count = model.count_params()
layer_count = len(model.layers)

# Small fake CIFAR: the class decides the mean colour of the image.
rng = np.random.default_rng(3)
y_train = rng.integers(0, 10, size=(48, 1))
colours = rng.uniform(0, 1, size=(10, 3)).astype("float32")
x_train = (colours[y_train[:, 0]][:, None, None, :]
           + rng.normal(0, 0.1, size=(48, 32, 32, 3))).astype("float32")
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    metrics=["acc"],
)
y_onehot = keras.utils.to_categorical(y_train, 10)
history = model.fit(x_train, y_onehot, batch_size=16, epochs=2, validation_split=0.25, verbose=0)
history_keys = sorted(history.history)
print("train acc:", history.history["acc"][-1])

# Features of every layer, as the guide's VGG19 example does.
features_list = [layer.output for layer in model.layers]
feat_extraction_model = keras.Model(inputs=model.input, outputs=features_list)
features = feat_extraction_model(x_train[:2])
feature_shapes = [tuple(f.shape) for f in features]
