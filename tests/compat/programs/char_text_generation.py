"""Character-level text generation with an LSTM (keras.io; Géron's stateful char-RNN)."""
import numpy as np

import lamina as keras
from lamina import layers

text = ("the quick brown fox jumps over the lazy dog. " * 40
        + "a stitch in time saves nine. " * 30)
chars = sorted(list(set(text)))
vocab_size = len(chars)
char_indices = {c: i for i, c in enumerate(chars)}
indices_char = {i: c for i, c in enumerate(chars)}

# keras.io: cut the text into semi-redundant sequences of maxlen characters, one-hot encoded.
maxlen = 20
step = 3
sentences, next_chars = [], []
for i in range(0, len(text) - maxlen, step):
    sentences.append(text[i:i + maxlen])
    next_chars.append(text[i + maxlen])
x = np.zeros((len(sentences), maxlen, vocab_size), dtype="bool")
y = np.zeros((len(sentences), vocab_size), dtype="bool")
for i, sentence in enumerate(sentences):
    for t, char in enumerate(sentence):
        x[i, t, char_indices[char]] = 1
    y[i, char_indices[next_chars[i]]] = 1
sequence_count = len(sentences)

model = keras.Sequential([
    keras.Input(shape=(maxlen, vocab_size)),
    layers.LSTM(64),
    layers.Dense(vocab_size, activation="softmax"),
])
model.compile(loss="categorical_crossentropy",
              optimizer=keras.optimizers.RMSprop(learning_rate=0.01))
model.summary()
lstm_params = model.count_params()
history = model.fit(x, y, batch_size=64, epochs=6, verbose=0)
onehot_losses = history.history["loss"]


def sample(preds, temperature=1.0):
    """Samples an index from a probability array reweighted by `temperature`."""
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


np.random.seed(0)
generated = {}
for diversity in [0.2, 1.0]:
    sentence = text[:maxlen]
    produced = ""
    for i in range(30):
        x_pred = np.zeros((1, maxlen, vocab_size))
        for t, char in enumerate(sentence):
            x_pred[0, t, char_indices[char]] = 1.0
        preds = model.predict(x_pred, verbose=0)[0]
        next_char = indices_char[sample(preds, diversity)]
        sentence = sentence[1:] + next_char
        produced += next_char
    generated[diversity] = produced
generated_lengths = [len(v) for v in generated.values()]

# Géron's stateful char-RNN: integer ids, an Embedding, batches that continue one another.
encoded = np.array([char_indices[c] for c in text], dtype="int64")
batch_size = 4
length = 30
streams = encoded[:(len(encoded) - 1) // batch_size * batch_size].reshape(batch_size, -1)
windows = (streams.shape[1] - 1) // length
x_stateful = np.concatenate([streams[:, w * length:(w + 1) * length] for w in range(windows)])
y_stateful = np.concatenate([streams[:, w * length + 1:(w + 1) * length + 1]
                             for w in range(windows)])
stateful_batches = windows

stateful_model = keras.Sequential([
    keras.Input(batch_shape=(batch_size, None)),
    layers.Embedding(input_dim=vocab_size, output_dim=16),
    layers.GRU(64, return_sequences=True, stateful=True),
    layers.Dense(vocab_size, activation="softmax"),
])
stateful_model.summary()
stateful_params = stateful_model.count_params()
stateful_input_shape = stateful_model.input_shape


class ResetStatesCallback(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        for layer in self.model.layers:
            if hasattr(layer, "reset_states"):
                layer.reset_states()


stateful_model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                       metrics=["accuracy"])
history = stateful_model.fit(x_stateful, y_stateful, batch_size=batch_size, epochs=4,
                             shuffle=False, verbose=0, callbacks=[ResetStatesCallback()])
stateful_losses = history.history["loss"]
stateful_accuracy = history.history["accuracy"][-1]

gru = stateful_model.layers[1]
gru.reset_states()
state_after_reset_is_zero = not np.any(keras.ops.convert_to_numpy(gru.states[0]))
first = stateful_model.predict(x_stateful[:batch_size], batch_size=batch_size, verbose=0)
state_after_predict_is_zero = not np.any(keras.ops.convert_to_numpy(gru.states[0]))
second = stateful_model.predict(x_stateful[:batch_size], batch_size=batch_size, verbose=0)
state_carries_over = not np.allclose(first, second)
stateful_prediction_shape = first.shape
state_shape = tuple(gru.states[0].shape)
