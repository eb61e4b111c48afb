"""A Siamese network with a contrastive loss (keras.io), sharing one tower between two inputs."""
import numpy as np

import lamina as keras
from lamina import ops

# Whether this small contrastive model escapes its "all 0.5" start depends on the initial
# weights (in Keras too), so the run is seeded.
keras.utils.set_random_seed(1)

# Pairs of 8x8 "glyphs" from 5 classes: a pair of the same class gets label 0, others 1
# (as in the example).
rng = np.random.default_rng(9)
glyphs = rng.uniform(0, 1, size=(5, 8, 8, 1)).astype("float32")


def make_pairs(count):
    first = rng.integers(0, 5, size=count)
    same = rng.random(count) < 0.5
    second = np.where(same, first, (first + rng.integers(1, 5, size=count)) % 5)
    noise = lambda: rng.normal(0, 0.15, size=(count, 8, 8, 1)).astype("float32")
    return glyphs[first] + noise(), glyphs[second] + noise(), (~same).astype("float32")


x_train_1, x_train_2, labels_train = make_pairs(1024)
x_val_1, x_val_2, labels_val = make_pairs(128)


def euclidean_distance(vects):
    """Euclidean distance between two vectors."""
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


input = keras.layers.Input((8, 8, 1))
x = keras.layers.BatchNormalization()(input)
x = keras.layers.Conv2D(8, (3, 3), activation="tanh")(x)
x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
x = keras.layers.Flatten()(x)
x = keras.layers.BatchNormalization()(x)
x = keras.layers.Dense(10, activation="tanh")(x)
embedding_network = keras.Model(input, x)

input_1 = keras.layers.Input((8, 8, 1))
input_2 = keras.layers.Input((8, 8, 1))
tower_1 = embedding_network(input_1)
tower_2 = embedding_network(input_2)
merge_layer = keras.layers.Lambda(euclidean_distance, output_shape=(1,))([tower_1, tower_2])
normal_layer = keras.layers.BatchNormalization()(merge_layer)
output_layer = keras.layers.Dense(1, activation="sigmoid")(normal_layer)
siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)


def loss(margin=1):
    """Provides 'contrastive_loss' an enclosing scope with variable 'margin'."""

    def contrastive_loss(y_true, y_pred):
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(margin - (y_pred), 0))
        return ops.mean((1 - y_true) * square_pred + (y_true) * margin_square)

    return contrastive_loss


siamese.compile(loss=loss(margin=1), optimizer="RMSprop", metrics=["accuracy"])
siamese.summary()
shared_weight_count = len(siamese.weights)
history = siamese.fit([x_train_1, x_train_2], labels_train,
                      validation_data=([x_val_1, x_val_2], labels_val),
                      batch_size=32, epochs=10, verbose=0)
results = siamese.evaluate([x_val_1, x_val_2], labels_val, verbose=0)
print("test loss, test acc:", results)

# Both towers are one network: the distance of a glyph to itself is (nearly) zero.
distance_model = keras.Model([input_1, input_2], merge_layer)
self_distance = distance_model.predict([x_val_1[:4], x_val_1[:4]], verbose=0)
