"""Models from the compat programs, built from a Keras namespace so that real Keras and lamina
build the same ones. Each scenario returns `(model, inputs)`; its weights are replaced by
seeded values (Keras' layout), so both libraries compute from identical numbers.

tests/fixtures/compat/make_reference_outputs.py runs them with Keras and stores the outputs;
tests/compat/test_programs.py runs them with lamina and compares to 1e-5.
"""
import numpy as np


def seeded(model, seed=0, scale=0.3):
    rng = np.random.default_rng(seed)
    weights = []
    for w in model.get_weights():
        weights.append((rng.normal(size=w.shape) * scale).astype("float32"))
    model.set_weights(weights)
    return model


def ticket_classifier(keras):
    layers = keras.layers
    title = keras.Input(shape=(None,), name="title")
    body = keras.Input(shape=(None,), name="body")
    tags = keras.Input(shape=(12,), name="tags")
    t = layers.LSTM(16)(layers.Embedding(50, 8)(title))
    b = layers.LSTM(8)(layers.Embedding(50, 8)(body))
    x = layers.concatenate([t, b, tags])
    model = keras.Model([title, body, tags], [layers.Dense(1, name="priority")(x),
                                              layers.Dense(4, name="department")(x)])
    rng = np.random.default_rng(1)
    inputs = [rng.integers(0, 50, size=(3, 6)), rng.integers(0, 50, size=(3, 9)),
              rng.integers(0, 2, size=(3, 12)).astype("float32")]
    return seeded(model), inputs


def masked_tagger(keras):
    layers = keras.layers
    model = keras.Sequential([keras.Input((6,)), layers.Embedding(10, 4, mask_zero=True),
                              layers.Bidirectional(layers.GRU(5, return_sequences=True)),
                              layers.TimeDistributed(layers.Dense(3))])
    inputs = np.array([[3, 5, 2, 0, 0, 0], [4, 1, 7, 7, 2, 9], [1, 0, 0, 0, 0, 0]])
    return seeded(model), inputs


def masked_lstm_classifier(keras):
    layers = keras.layers
    tokens = keras.Input((None,), dtype="int32")
    x = layers.Embedding(20, 6, mask_zero=True)(tokens)
    x = layers.LSTM(7, return_sequences=True)(x)
    x = layers.SimpleRNN(5)(x)
    model = keras.Model(tokens, layers.Dense(2, activation="softmax")(x))
    inputs = np.array([[5, 6, 7, 0, 0], [1, 2, 3, 4, 5], [9, 0, 0, 0, 0]])
    return seeded(model), inputs


def transformer_block(keras):
    layers = keras.layers
    inputs = keras.Input((7,))
    x = layers.Embedding(30, 8)(inputs)
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
    x = layers.LayerNormalization(epsilon=1e-6)(x + attention)
    ffn = layers.Dense(8)(layers.Dense(16, activation="relu")(x))
    x = layers.LayerNormalization(epsilon=1e-6)(x + ffn)
    x = layers.GlobalAveragePooling1D()(x)
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    data = np.random.default_rng(2).integers(0, 30, size=(3, 7))
    return seeded(model), data


def conv_autoencoder(keras):
    layers = keras.layers
    image = keras.Input((8, 8, 1))
    x = layers.Conv2D(4, 3, activation="relu", padding="same")(image)
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.Conv2DTranspose(4, 3, strides=2, activation="relu", padding="same")(x)
    model = keras.Model(image, layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x))
    data = np.random.default_rng(3).random((2, 8, 8, 1)).astype("float32")
    return seeded(model), data


def siamese_distance(keras):
    layers, ops = keras.layers, keras.ops
    image = keras.Input((6, 6, 1))
    x = layers.Conv2D(3, 3, activation="tanh")(image)
    x = layers.AveragePooling2D(2)(x)
    tower = keras.Model(image, layers.Dense(4, activation="tanh")(layers.Flatten()(x)))
    a, b = keras.Input((6, 6, 1)), keras.Input((6, 6, 1))

    def euclidean_distance(vects):
        x, y = vects
        sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))

    distance = layers.Lambda(euclidean_distance, output_shape=(1,))([tower(a), tower(b)])
    model = keras.Model([a, b], layers.Dense(1, activation="sigmoid")(distance))
    rng = np.random.default_rng(4)
    return seeded(model), [rng.random((3, 6, 6, 1)).astype("float32"),
                           rng.random((3, 6, 6, 1)).astype("float32")]


def ops_functional(keras):
    ops = keras.ops
    x = keras.Input((5, 4))
    centred = x - ops.mean(x, axis=1, keepdims=True)
    gram = ops.matmul(ops.transpose(centred, (0, 2, 1)), centred) / 5.0
    scores = ops.softmax(ops.reshape(gram, (-1, 16)), axis=-1)
    joined = ops.concatenate([scores, ops.expand_dims(ops.max(gram, axis=(1, 2)), -1)], axis=-1)
    model = keras.Model(x, keras.layers.Dense(3)(joined))
    return seeded(model), np.random.default_rng(5).normal(size=(3, 5, 4)).astype("float32")


SCENARIOS = {f.__name__: f for f in (ticket_classifier, masked_tagger, masked_lstm_classifier,
                                     transformer_block, conv_autoencoder, siamese_distance,
                                     ops_functional)}
