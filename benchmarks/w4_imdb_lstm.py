"""W4: Embedding + LSTM on IMDB-shaped sequences — lamina fit vs a plain PyTorch loop vs Keras-jax.

Embedding(10000, 32) -> LSTM(32) -> Dense(1, sigmoid); Adam, binary cross-entropy, batch 64,
sequences of 200 word indices (Keras' `pad_sequences(maxlen=200)`: pre-padded with 0, longer
reviews keep their last 200 words). The data is IMDB (`lamina.datasets.imdb.load_data(
num_words=10000)`, 25 000 reviews to train, the 25 000 test reviews held out) when imdb.npz
is on this machine ($LAMINA_DATASETS/imdb/imdb.npz or lamina's cache); otherwise a synthetic
task of the same shape, said so in the table's header: 25 000 + 5 000 sequences of Zipf-
distributed words, IMDB-like lengths, and a label carried by class-specific words (about 8
of the own class's 20 and 3 of the other's per review).
`--download-imdb` lets load_data download the file. The PyTorch loop is nn.Embedding ->
nn.LSTM(batch_first) -> nn.Linear on the last hidden state, with
`binary_cross_entropy_with_logits`. Runners, rounds and the table: harness.py.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/w4_imdb_lstm.py --epochs 3
"""
from __future__ import annotations

import os

import numpy as np
from harness import Workload, argument_parser, run_benchmark, subset

VOCABULARY = 10000
LENGTH = 200


def imdb_on_this_machine() -> bool:
    """Whether imdb.npz is where load_data looks first, so loading it downloads nothing."""
    from lamina.datasets._dataset_file import cache_path
    root = os.environ.get("LAMINA_DATASETS")
    places = [cache_path("imdb", "imdb.npz")]
    if root:
        places.insert(0, os.path.join(os.path.expanduser(root), "imdb", "imdb.npz"))
    return any(os.path.exists(place) for place in places)


def synthetic_reviews(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`count` padded sequences shaped like IMDB's and their 0/1 labels.

    Example:
        >>> x, y = synthetic_reviews(8, np.random.default_rng(0))
        >>> x.shape, x.dtype, sorted(set(y.tolist())) <= [0.0, 1.0]
        ((8, 200), dtype('int32'), True)
    """
    ranks = np.arange(1, VOCABULARY - 3)
    frequency = 1.0 / ranks
    frequency /= frequency.sum()
    # 20 words each mark a class (as "great" and "awful" do), from the frequent ranks.
    cue_words = rng.choice(np.arange(50, 500), size=40, replace=False) + 3
    cues = {0: cue_words[:20], 1: cue_words[20:]}
    labels = rng.integers(0, 2, size=count)
    # IMDB's review lengths: median ~ 180 words, a long tail (truncated at 200 here).
    lengths = np.clip(rng.lognormal(np.log(180), 0.55, size=count).astype(int), 10, LENGTH)
    x = np.zeros((count, LENGTH), dtype=np.int32)
    all_words = rng.choice(ranks, size=(count, LENGTH), p=frequency) + 3  # 0 pad, 1 start, 2 OOV
    for row, (label, length) in enumerate(zip(labels, lengths)):
        words = all_words[row, :length]
        for cue_class, mean in ((label, 8.0), (1 - label, 3.0)):
            hits = min(rng.poisson(mean), length - 1)
            words[rng.choice(np.arange(1, length), size=hits, replace=False)] = (
                rng.choice(cues[cue_class], size=hits))
        words[0] = 1
        x[row, LENGTH - length:] = words
    return x, labels.astype(np.float32)


def prepare(args) -> dict:
    import lamina
    if imdb_on_this_machine() or args.download_imdb:
        (x_train, y_train), (x_test, y_test) = lamina.datasets.imdb.load_data(
            num_words=VOCABULARY)
        pad = lamina.utils.pad_sequences
        data = {"x_train": pad(x_train, maxlen=LENGTH).astype(np.int32),
                "y_train": y_train.astype(np.float32),
                "x_val": pad(x_test, maxlen=LENGTH).astype(np.int32),
                "y_val": y_test.astype(np.float32), "note": "data: IMDB (imdb.npz)"}
    else:
        rng = np.random.default_rng(113)
        x, y = synthetic_reviews(30000, rng)
        data = {"x_train": x[:25000], "y_train": y[:25000], "x_val": x[25000:],
                "y_val": y[25000:],
                "note": "data: SYNTHETIC IMDB-shaped task (no imdb.npz on this machine): "
                        "25 000 + 5 000 sequences of 200, vocabulary 10 000"}
    note = data.pop("note")
    return {**subset(data, args.subset), "note": note}


def keras_model(keras, config: dict):
    model = keras.Sequential([
        keras.Input(shape=(LENGTH,), dtype="int32"),
        keras.layers.Embedding(VOCABULARY, 32),
        keras.layers.LSTM(32),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def torch_setup(data: dict, config: dict):
    import torch
    import torch.nn.functional as F
    from torch import nn

    class EmbeddingLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCABULARY, 32)
            self.lstm = nn.LSTM(32, 32, batch_first=True)
            self.head = nn.Linear(32, 1)

        def forward(self, tokens):
            _, (hidden, _) = self.lstm(self.embedding(tokens))
            return self.head(hidden[-1]).squeeze(1)

    def predict_labels(model, x):
        return torch.cat([(model(torch.as_tensor(x[i:i + 1000]).long()) > 0).long()
                          for i in range(0, len(x), 1000)]).numpy()

    return (EmbeddingLSTM(), F.binary_cross_entropy_with_logits,
            torch.as_tensor(data["x_train"]).long(), torch.as_tensor(data["y_train"]),
            predict_labels)


WORKLOAD = Workload("W4 Embedding + LSTM", prepare, keras_model, torch_setup,
                    loss="binary_crossentropy")


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], epochs=3, batch_size=64)
    parser.add_argument("--download-imdb", action="store_true",
                        help="let lamina.datasets.imdb.load_data download imdb.npz if absent")
    run_benchmark(WORKLOAD, __file__, parser.parse_args())


if __name__ == "__main__":
    main()
