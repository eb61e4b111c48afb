"""The Sequential model, as the Keras guide walks through it (small random data)."""
import numpy as np

import lamina as keras
from lamina import layers

# A Sequential model is a plain stack of layers, one input and one output each.
model = keras.Sequential(
    [
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ]
)
x = keras.ops.ones((3, 3))
y = model(x)
print("output shape:", tuple(y.shape))

# The same stack called layer by layer gives the same result.
layer1 = model.get_layer("layer1")
layer2 = model.get_layer("layer2")
layer3 = model.get_layer("layer3")
y_by_hand = layer3(layer2(layer1(x)))
same_as_by_hand = bool(np.allclose(keras.ops.convert_to_numpy(y),
                                   keras.ops.convert_to_numpy(y_by_hand)))

# Built incrementally with add(), shrunk with pop().
model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
layer_count_before_pop = len(model.layers)
model.pop()
layer_count_after_pop = len(model.layers)

# Weights do not exist until the model sees an input shape.
layer = layers.Dense(3)
weights_before_call = len(layer.weights)
layer(keras.ops.ones((1, 4)))
weights_after_call = len(layer.weights)
kernel_shape = tuple(layer.kernel.shape)

lazy = keras.Sequential([layers.Dense(2, activation="relu"), layers.Dense(3)])
lazy_built_before = lazy.built
lazy(keras.ops.ones((1, 4)))
lazy_weight_count = len(lazy.weights)

# With an Input first, the model is built right away and summary() works.
model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
model.summary()
eager_layer_names = [layer.name for layer in model.layers]

# A common debugging workflow: add layers and print summary() as you go.
model = keras.Sequential()
model.add(keras.Input(shape=(250, 250, 3)))
model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
conv_shape_after_pool = model.output_shape
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(2))
model.add(layers.GlobalMaxPooling2D())
model.add(layers.Dense(10))
final_output_shape = model.output_shape

# Feature extraction: a Model that returns every intermediate output.
initial_model = keras.Sequential(
    [
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)
features = feature_extractor(np.ones((1, 250, 250, 3), dtype="float32"))
feature_shapes = [tuple(f.shape) for f in features]

one_layer_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
one_feature_shape = tuple(one_layer_extractor(np.ones((1, 250, 250, 3), "float32")).shape)

# Transfer learning: freeze all layers but the last, then train on a small problem.
rng = np.random.default_rng(0)
x_train = rng.normal(size=(256, 8)).astype("float32")
y_train = (x_train[:, 0] + x_train[:, 1] > 0).astype("int32")
model = keras.Sequential(
    [
        keras.Input(shape=(8,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(2),
    ]
)
for layer in model.layers[:-1]:
    layer.trainable = False
frozen_before = [w.copy() for w in model.layers[0].get_weights()]
model.compile(
    optimizer=keras.optimizers.Adam(0.01),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=32, epochs=15, verbose=0)
frozen_after = model.layers[0].get_weights()
frozen_unchanged = all(np.array_equal(a, b) for a, b in zip(frozen_before, frozen_after))
trainable_count = len(model.trainable_weights)
print("final accuracy:", history.history["accuracy"][-1])
