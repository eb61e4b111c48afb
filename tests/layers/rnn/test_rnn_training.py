"""Recurrent models learn in fit: a synthetic sequence task, and padded sequences under a mask."""
import numpy as np

import lamina
from lamina import layers
from lamina.utils import pad_sequences


def _token_seven_task(count, rng, length=15, vocabulary=20):
    """Label 1 when token 7 appears in the sequence (half the sequences), else 0."""
    tokens = rng.choice([t for t in range(1, vocabulary) if t != 7], size=(count, length))
    labels = rng.random(count) < 0.5
    tokens[labels, rng.integers(0, length, labels.sum())] = 7
    return tokens.astype("int64"), labels.astype("float32")


def test_embedding_lstm_classifier_learns_whether_a_token_appears():
    rng = np.random.default_rng(0)
    x_train, y_train = _token_seven_task(2000, rng)
    x_test, y_test = _token_seven_task(500, rng)
    model = lamina.Sequential([layers.Embedding(20, 8), layers.LSTM(16),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=lamina.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=6, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95


def test_padded_sequences_train_under_the_embedding_mask():
    """IMDB style: pad_sequences' leading zeros are masked, so padding changes no prediction."""
    rng = np.random.default_rng(1)
    sequences = [list(rng.integers(1, 50, rng.integers(3, 12))) for _ in range(256)]
    labels = np.array([float(np.mean(s) > 25) for s in sequences], "float32")
    padded = pad_sequences(sequences, maxlen=12)
    model = lamina.Sequential([layers.Embedding(50, 8, mask_zero=True),
                               layers.Bidirectional(layers.LSTM(8, return_sequences=True)),
                               layers.GRU(8), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(padded, labels, epochs=3, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert history.history["loss"][-1] < history.history["loss"][0]
    longer = pad_sequences(sequences[:8], maxlen=20)
    np.testing.assert_allclose(model.predict(longer, verbose=0), model.predict(padded[:8], verbose=0),
                               rtol=1e-5, atol=1e-6)
