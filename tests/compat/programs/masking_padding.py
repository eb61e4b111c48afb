"""Working with masking and padding: padding, mask-producing and mask-consuming layers."""
import numpy as np

import lamina as keras
from lamina import layers, ops

raw_inputs = [
    [711, 632, 71],
    [73, 8, 3215, 55, 927],
    [83, 91, 1, 645, 1253, 927],
]
# Pad at the end: recommended for RNN layers.
padded_inputs = keras.utils.pad_sequences(raw_inputs, padding="post")
print(padded_inputs)

# Three ways to get a mask: Embedding(mask_zero=True), Masking, or a custom layer.
embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
masked_output = embedding(padded_inputs)
embedding_mask = ops.convert_to_numpy(masked_output._keras_mask)

masking_layer = layers.Masking()
# Simulate an embedding lookup by expanding the 2D input to 3D with embedding dimension 10.
unmasked_embedding = ops.cast(
    ops.tile(ops.expand_dims(padded_inputs, axis=-1), [1, 1, 10]), dtype="float32")
masked_embedding = masking_layer(unmasked_embedding)
masking_mask = ops.convert_to_numpy(masked_embedding._keras_mask)

# Masks flow through a Sequential model automatically.
model = keras.Sequential(
    [layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True), layers.LSTM(32)])
sequential_output_shape = tuple(model(padded_inputs).shape)

# And through a functional model.
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
outputs = layers.LSTM(32)(x)
functional_model = keras.Model(inputs, outputs)
functional_output_shape = tuple(functional_model(padded_inputs).shape)


# Passing masks by hand to layers that take them.
class MyLayer(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
        self.lstm = layers.LSTM(32)

    def call(self, inputs):
        x = self.embedding(inputs)
        # Or compute the mask tensor yourself (a boolean tensor of shape (batch, timesteps)).
        mask = self.embedding.compute_mask(inputs)
        return self.lstm(x, mask=mask)


layer = MyLayer()
hand_masked_output = ops.convert_to_numpy(layer(padded_inputs))
# An LSTM that ignores padding gives the same state as one fed only the real steps.
lstm_alone = ops.convert_to_numpy(
    layer.lstm(layer.embedding(np.array([raw_inputs[0]]))))
first_row_matches_unpadded = bool(np.allclose(hand_masked_output[0], lstm_alone[0], atol=1e-6))


# A layer that changes the time dimension must compute a new mask.
class TemporalSplit(keras.layers.Layer):
    """Splits the input tensor into 2 tensors along the time dimension."""

    def call(self, inputs):
        return ops.split(inputs, 2, axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return ops.split(mask, 2, axis=1)


first_half, second_half = TemporalSplit()(masked_embedding)
split_masks = (ops.convert_to_numpy(first_half._keras_mask),
               ops.convert_to_numpy(second_half._keras_mask))


# A layer that makes a mask from its inputs.
class CustomEmbedding(keras.layers.Layer):
    def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.mask_zero = mask_zero
        self.embeddings = self.add_weight(shape=(input_dim, output_dim),
                                          initializer="random_normal", dtype="float32")

    def call(self, inputs):
        inputs = ops.cast(inputs, "int32")
        return ops.take(self.embeddings, inputs, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)


layer = CustomEmbedding(10, 32, mask_zero=True)
token_ids = np.random.default_rng(0).random((3, 10)) * 9
token_ids = token_ids.astype("int32")
y = layer(token_ids)
custom_mask = ops.convert_to_numpy(layer.compute_mask(token_ids))
custom_mask_attached = ops.convert_to_numpy(y._keras_mask)


# A layer that passes the mask through unchanged opts in with supports_masking.
class MyActivation(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return ops.relu(inputs)


inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
x = MyActivation()(x)
print("Mask found:", x._keras_mask)
passthrough_mask_shape = tuple(x._keras_mask.shape)
outputs = layers.LSTM(32)(x)
passthrough_model = keras.Model(inputs, outputs)
passthrough_y = passthrough_model(padded_inputs)


# A layer that uses the mask: softmax over the real timesteps only.
class TemporalSoftmax(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
        return inputs_exp / inputs_sum


inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True)(inputs)
x = layers.Dense(1)(x)
outputs = TemporalSoftmax()(x)
softmax_model = keras.Model(inputs, outputs)
softmax_tokens = np.random.default_rng(1).integers(0, 10, size=(32, 100))
softmax_y = softmax_model(softmax_tokens)
softmax_shape = tuple(softmax_y.shape)
