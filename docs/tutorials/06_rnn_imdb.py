"""Tutorial 06: recurrent networks on IMDB movie reviews (positive or negative?)."""
import numpy as np
from sklearn.model_selection import train_test_split

import lamina as keras

# Each review is a list of word indices; the 500 most frequent words are kept.
(train_input, train_target), (test_input, test_target) = keras.datasets.imdb.load_data(
    num_words=500)
print("reviews:", train_input.shape, test_input.shape)
lengths = np.array([len(review) for review in train_input])
print(f"review length: mean {lengths.mean():.1f}, median {np.median(lengths):.0f}")
print("the first review starts:", train_input[0][:10], "label:", train_target[0])

train_input, val_input, train_target, val_target = train_test_split(
    train_input, train_target, test_size=0.2, random_state=42)
# Every review cut or padded with zeros to 100 words.
train_seq = keras.utils.pad_sequences(train_input, maxlen=100)
val_seq = keras.utils.pad_sequences(val_input, maxlen=100)
test_seq = keras.utils.pad_sequences(test_input, maxlen=100)
print("padded:", train_seq.shape)


def train(name, model):
    model.summary(explain=True)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss="binary_crossentropy", metrics=["accuracy"])
    early_stopping = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    history = model.fit(train_seq, train_target, epochs=15, batch_size=64, verbose=0,
                        validation_data=(val_seq, val_target), callbacks=[early_stopping])
    _, accuracy = model.evaluate(test_seq, test_target, verbose=0)
    print(f"{name}: {len(history.epoch)} epochs, best validation loss "
          f"{min(history.history['val_loss']):.4f}, test accuracy {accuracy:.4f}")
    history.plot(path=f"{name}.png")


keras.utils.set_random_seed(42)
train("simple_rnn", keras.Sequential([
    keras.Input(shape=(100,)),
    keras.layers.Embedding(500, 16),
    keras.layers.SimpleRNN(8),
    keras.layers.Dense(1, activation="sigmoid"),
], name="simple_rnn"))

keras.utils.set_random_seed(42)
train("lstm", keras.Sequential([
    keras.Input(shape=(100,)),
    keras.layers.Embedding(500, 16),
    keras.layers.LSTM(8, dropout=0.3),
    keras.layers.Dense(1, activation="sigmoid"),
], name="lstm"))
