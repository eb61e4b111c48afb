"""Working with RNNs: built-in layers, states, bidirectional and stateful RNNs, custom cells."""
import numpy as np

import lamina as keras
from lamina import layers, ops

# Built-in RNN layers on a sequence of integer tokens.
model = keras.Sequential()
model.add(keras.Input(shape=(None,)))
model.add(layers.Embedding(input_dim=1000, output_dim=64))
model.add(layers.LSTM(128))
model.add(layers.Dense(10))
model.summary()
lstm_params = model.layers[1].count_params()

# return_sequences gives every timestep's output.
model = keras.Sequential()
model.add(keras.Input(shape=(None,)))
model.add(layers.Embedding(input_dim=1000, output_dim=64))
model.add(layers.GRU(256, return_sequences=True))
model.add(layers.SimpleRNN(128))
model.add(layers.Dense(10))
gru_stack_output_shape = model.output_shape
gru_stack_params = [layer.count_params() for layer in model.layers]

# return_state gives the final states, which can start another RNN (a seq2seq sketch).
encoder_vocab, decoder_vocab = 1000, 2000
encoder_input = layers.Input(shape=(None,))
encoder_embedded = layers.Embedding(input_dim=encoder_vocab, output_dim=64)(encoder_input)
output, state_h, state_c = layers.LSTM(64, return_state=True, name="encoder")(encoder_embedded)
encoder_state = [state_h, state_c]

decoder_input = layers.Input(shape=(None,))
decoder_embedded = layers.Embedding(input_dim=decoder_vocab, output_dim=64)(decoder_input)
decoder_output = layers.LSTM(64, name="decoder")(decoder_embedded, initial_state=encoder_state)
output = layers.Dense(10)(decoder_output)
seq2seq = keras.Model([encoder_input, decoder_input], output)
seq2seq.summary()
rng = np.random.default_rng(0)
encoder_tokens = rng.integers(0, encoder_vocab, size=(4, 7))
decoder_tokens = rng.integers(0, decoder_vocab, size=(4, 5))
seq2seq_output_shape = seq2seq.predict([encoder_tokens, decoder_tokens], verbose=0).shape

# The decoder's result depends on the encoder's state.
other_encoder_tokens = rng.integers(0, encoder_vocab, size=(4, 7))
state_matters = not np.allclose(seq2seq.predict([encoder_tokens, decoder_tokens], verbose=0),
                                seq2seq.predict([other_encoder_tokens, decoder_tokens], verbose=0))

# Stateful RNNs: state carries over between calls until reset_states().
paragraph1 = rng.random((20, 10, 50)).astype(np.float32)
paragraph2 = rng.random((20, 10, 50)).astype(np.float32)
paragraph3 = rng.random((20, 10, 50)).astype(np.float32)
lstm_layer = layers.LSTM(64, stateful=True)
output = lstm_layer(paragraph1)
output = lstm_layer(paragraph2)
output = lstm_layer(paragraph3)
stateful_output = ops.convert_to_numpy(output)
stateful_states = [ops.convert_to_numpy(s) for s in lstm_layer.states]
lstm_layer.reset_states()
states_after_reset = [ops.convert_to_numpy(s) for s in lstm_layer.states]

# Reusing a stateful layer's state in a fresh layer.
new_lstm_layer = layers.LSTM(64)
new_output = new_lstm_layer(paragraph3, initial_state=lstm_layer.states)
new_output_shape = tuple(new_output.shape)

# Bidirectional wrapper.
model = keras.Sequential()
model.add(keras.Input(shape=(5, 10)))
model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True)))
model.add(layers.Bidirectional(layers.LSTM(32)))
model.add(layers.Dense(10))
model.summary()
bidirectional_shapes = [layer.output.shape for layer in model.layers]
bidirectional_params = [layer.count_params() for layer in model.layers]

# A generic RNN over a cell: same result as the fused layer with the same weights.
inputs = rng.normal(size=(3, 6, 8)).astype("float32")
fused = layers.LSTM(16)
fused_output = ops.convert_to_numpy(fused(inputs))
generic = layers.RNN(layers.LSTMCell(16))
generic(inputs)
generic.set_weights(fused.get_weights())
generic_output = ops.convert_to_numpy(generic(inputs))


# A custom cell: state_size, and call(inputs, states) returning (output, new_states).
class MinimalRNNCell(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]


cell = MinimalRNNCell(32)
x = keras.Input((None, 5))
layer = layers.RNN(cell)
y = layer(x)
custom_cell_symbolic_shape = y.shape
custom_rnn_model = keras.Model(x, y)
custom_cell_output = custom_rnn_model.predict(rng.normal(size=(2, 4, 5)).astype("float32"),
                                              verbose=0)

# A stack of cells in one RNN layer.
cells = [MinimalRNNCell(32), MinimalRNNCell(64)]
stacked_output = layers.RNN(cells)(keras.Input((None, 5)))
stacked_shape = stacked_output.shape

# Train a small LSTM classifier on sequences whose label is the sign of their sum.
x_train = rng.normal(size=(384, 12, 3)).astype("float32")
y_train = (x_train[:, :, 0].sum(axis=1) > 0).astype("int32")
model = keras.Sequential([
    keras.Input(shape=(12, 3)),
    layers.LSTM(32),
    layers.BatchNormalization(),
    layers.Dense(2),
])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, y_train, validation_split=0.25, batch_size=32, epochs=8, verbose=0)
val_accuracy = history.history["val_accuracy"][-1]
print("val accuracy:", val_accuracy)
