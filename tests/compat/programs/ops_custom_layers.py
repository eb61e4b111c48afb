"""Custom layers written with keras.ops (backend-agnostic code), and ops in a functional model."""
import numpy as np

import lamina as keras
from lamina import layers, ops


class AttentionPooling(layers.Layer):
    """Pools a masked sequence with learnt attention weights over its real steps."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        self.score = self.add_weight(shape=(input_shape[-1], 1), initializer="glorot_uniform",
                                     name="score")

    def call(self, inputs, mask=None):
        scores = ops.squeeze(ops.matmul(inputs, self.score), axis=-1)
        if mask is not None:
            scores = ops.where(mask, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)
        return ops.sum(inputs * ops.expand_dims(weights, -1), axis=1)

    def compute_mask(self, inputs, mask=None):
        return None


class LengthFeatures(layers.Layer):
    """Appends each sequence's real length (from its mask) and mean to the pooled vector."""

    def call(self, pooled, sequence, mask=None):
        batch = ops.shape(pooled)[0]
        lengths = ops.cast(ops.sum(ops.cast(mask, "int32"), axis=1, keepdims=True), "float32")
        means = ops.mean(sequence, axis=[1, 2])
        return ops.concatenate([pooled, lengths / 10.0, ops.reshape(means, (batch, 1))],
                               axis=-1)


class Standardize(layers.Layer):
    """Batch-free standardization with a non-trainable running estimate."""

    def build(self, input_shape):
        self.mean = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                    trainable=False, name="mean")

    def call(self, inputs, training=None):
        if training:
            self.mean.assign(0.9 * self.mean + 0.1 * ops.mean(inputs, axis=0))
        return inputs - self.mean


# Sequences of tokens padded with 0; the label: does token 3 occur more often than token 4?
rng = np.random.default_rng(12)
lengths = rng.integers(3, 12, size=600)
tokens = np.zeros((600, 12), dtype="int32")
for row, length in zip(tokens, lengths):
    row[:length] = rng.integers(1, 8, size=length)
labels = ((tokens == 3).sum(1) > (tokens == 4).sum(1)).astype("float32")

inputs = keras.Input(shape=(12,), dtype="int32")
embedded = layers.Embedding(8, 16, mask_zero=True)(inputs)
pooled = AttentionPooling()(embedded)
features = LengthFeatures()(pooled, embedded, mask=ops.not_equal(inputs, 0))
features = Standardize()(features)
hidden = layers.Dense(16, activation="relu")(features)
outputs = layers.Dense(1, activation="sigmoid")(hidden)
model = keras.Model(inputs, outputs)
model.summary()
features_width = features.shape[-1]

model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(tokens[:480], labels[:480], validation_data=(tokens[480:], labels[480:]),
                    epochs=10, batch_size=32, verbose=0)
val_accuracy = history.history["val_accuracy"][-1]
print("val accuracy:", val_accuracy)

# Ops straight on Keras tensors in a functional model (Keras 3 records them as operations).
x = keras.Input(shape=(5, 4))
centred = x - ops.mean(x, axis=1, keepdims=True)
gram = ops.matmul(ops.transpose(centred, (0, 2, 1)), centred) / 5.0
flat = ops.reshape(gram, (-1, 16))
clipped = ops.clip(flat, -1.0, 1.0)
covariance_model = keras.Model(x, clipped)
probe = rng.normal(size=(3, 5, 4)).astype("float32")
covariance = covariance_model.predict(probe, verbose=0)
centred_probe = probe - probe.mean(axis=1, keepdims=True)
covariance_by_hand = np.clip(np.einsum("bti,btj->bij", centred_probe, centred_probe) / 5.0,
                             -1, 1).reshape(3, 16)
