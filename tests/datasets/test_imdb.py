"""imdb.load_data / get_word_index on small imdb.npz files written in the test.

The fixture: train [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10]] labelled [0, 1, 0, 1], test
[[2, 11], [3]] labelled [1, 0]. np.random.RandomState(113) orders train as [3, 2, 0, 1]
and then test as [1, 0], so after the default shift (+3, start mark 1) the splits are
train [1,10,11,12,13] [1,9] [1,4,5,6] [1,7,8], test [1,6] [1,5,14]; without num_words the
bound is the largest index, 14, which Keras turns into oov_char 2.
"""
import os

import numpy as np
import pytest

import lamina as keras
from lamina.datasets import DatasetIntegrityError

imdb = keras.datasets.imdb
TRAIN = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10]]
TEST = [[2, 11], [3]]


@pytest.fixture
def corpus(dataset_files):
    path = dataset_files.path("imdb", "imdb.npz")
    np.savez(path, x_train=dataset_files.ragged(TRAIN), y_train=np.array([0, 1, 0, 1]),
             x_test=dataset_files.ragged(TEST), y_test=np.array([1, 0]))
    return path


def as_lists(loaded):
    (x_train, y_train), (x_test, y_test) = loaded
    return [list(x) for x in x_train], y_train.tolist(), [list(x) for x in x_test], y_test.tolist()


@pytest.mark.parametrize("kwargs, expected", [
    ({}, ([[1, 10, 11, 12, 13], [1, 9], [1, 4, 5, 6], [1, 7, 8]], [1, 0, 0, 1],
          [[1, 6], [1, 5, 2]], [0, 1])),
    # skip_top also hits the start mark 1, as in Keras.
    ({"num_words": 9, "skip_top": 4}, ([[2, 2, 2, 2, 2], [2, 2], [2, 4, 5, 6], [2, 7, 8]],
                                       [1, 0, 0, 1], [[2, 6], [2, 5, 2]], [0, 1])),
    # Only sequences shorter than maxlen stay; the bound becomes the largest kept index, 9.
    ({"maxlen": 3}, ([[1, 2]], [0], [[1, 6]], [0])),
    ({"num_words": 7, "oov_char": None}, ([[1], [1], [1, 4, 5, 6], [1]], [1, 0, 0, 1],
                                          [[1, 6], [1, 5]], [0, 1])),
    ({"start_char": None, "index_from": 0, "num_words": 100},
     ([[7, 8, 9, 10], [6], [1, 2, 3], [4, 5]], [1, 0, 0, 1], [[3], [2, 11]], [0, 1])),
    ({"start_char": 0, "oov_char": 1, "index_from": 1, "num_words": 5},
     ([[0, 1, 1, 1, 1], [0, 1], [0, 2, 3, 4], [0, 1, 1]], [1, 0, 0, 1], [[0, 4], [0, 3, 1]],
      [0, 1])),
])
def test_hand_computed_results(corpus, kwargs, expected):
    assert as_lists(imdb.load_data(**kwargs)) == expected


def test_types_and_shapes(corpus):
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert x_train.dtype == object and x_train.shape == (4,) and x_test.shape == (2,)
    assert y_train.dtype == np.int64 and y_test.shape == (2,)
    assert all(type(x) is list for x in x_train)
    assert {type(w) for x in x_train for w in x} == {int}


def test_equal_lengths_still_give_one_list_per_review(dataset_files):
    reviews = dataset_files.ragged([[1, 2], [3, 4]])
    np.savez(dataset_files.path("imdb", "imdb.npz"), x_train=reviews, y_train=np.array([0, 1]),
             x_test=reviews, y_test=np.array([0, 1]))
    (x_train, _), _ = imdb.load_data()
    assert x_train.shape == (2,) and sorted(x_train.tolist()) == [[1, 4, 5], [1, 6, 2]]


def test_seed_orders_both_splits_with_one_random_state(corpus):
    order = np.arange(4)
    rng = np.random.RandomState(5)
    rng.shuffle(order)
    test_order = np.arange(2)
    rng.shuffle(test_order)
    x_train, y_train, x_test, _ = as_lists(imdb.load_data(seed=5, start_char=None,
                                                          index_from=0, num_words=100))
    assert x_train == [TRAIN[i] for i in order] and y_train == [[0, 1, 0, 1][i] for i in order]
    assert x_test == [TEST[i] for i in test_order]


def test_maxlen_that_keeps_nothing_is_refused(corpus):
    with pytest.raises(ValueError, match="After filtering for sequences shorter than "
                                         "maxlen=2, no sequence was kept. Increase maxlen."):
        imdb.load_data(maxlen=2)


def test_tf2_nb_words_is_accepted_with_a_warning(corpus):
    with pytest.warns(UserWarning, match="`nb_words` .* renamed `num_words`"):
        renamed = imdb.load_data(nb_words=9, skip_top=4)
    assert as_lists(renamed) == as_lists(imdb.load_data(num_words=9, skip_top=4))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"num_word": 10}, TypeError, r"unexpected keyword arguments \['num_word'\]"),
    ({"num_words": "10000"}, TypeError, "`num_words` must be an int or None, but received "
                                        "num_words='10000' \\(a str\\)"),
    ({"skip_top": None}, TypeError, "`skip_top` must be an int, but received skip_top=None"),
    ({"maxlen": -5}, ValueError, "`maxlen` must be 0 or more, but received maxlen=-5"),
])
def test_bad_arguments_name_the_argument(dataset_files, kwargs, error, message):
    with pytest.raises(error, match=message):
        imdb.load_data(**kwargs)


class RunsCommand:
    """Pickles as a call of os.system, the classic attack on np.load(allow_pickle=True)."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_a_pickle_that_would_run_code_is_refused(dataset_files, tmp_path):
    marker = tmp_path / "attack_ran"
    reviews = dataset_files.ragged([[1], [2]])
    reviews[1] = RunsCommand(f"touch {marker}")
    path = dataset_files.path("imdb", "imdb.npz")
    np.savez(path, x_train=reviews, y_train=np.array([0, 1]), x_test=reviews,
             y_test=np.array([0, 1]))
    with pytest.raises(DatasetIntegrityError, match=r"Refusing to load (posix|os)\.system") as info:
        imdb.load_data()
    assert str(path) in str(info.value) and not marker.exists()


def test_damaged_or_incomplete_files_are_named(dataset_files):
    path = dataset_files.path("imdb", "imdb.npz")
    np.savez(path, x_train=dataset_files.ragged(TRAIN))
    with pytest.raises(DatasetIntegrityError,
                       match=r"lacks the arrays \['y_train', 'x_test', 'y_test'\]"):
        imdb.load_data()
    path.write_bytes(b"PK not really a zip")
    with pytest.raises(DatasetIntegrityError, match="is not a readable .npz file"):
        imdb.load_data()


def test_get_word_index_reads_the_placed_file(dataset_files):
    dataset_files.path("imdb", "imdb_word_index.json").write_text('{"the": 1, "film": 19}')
    word_index = imdb.get_word_index()
    assert word_index == {"the": 1, "film": 19}
    decoded = {index + 3: word for word, index in word_index.items()}
    assert decoded[22] == "film"


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not a JSON file"),
    ('["the", "film"]', "holds a JSON list, expected an object of word: index"),
])
def test_broken_word_index_is_named(dataset_files, content, message):
    path = dataset_files.path("imdb", "imdb_word_index.json")
    path.write_text(content)
    with pytest.raises(DatasetIntegrityError, match=message) as info:
        imdb.get_word_index()
    assert str(path) in str(info.value)


def sentiment_corpus(dataset_files, n=200, seed=0):
    """Positive reviews use words 1-10 more, negative ones words 11-20."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    reviews = [[int(w) for w in np.concatenate([rng.integers(1, 11, 12) + 10 * (1 - label),
                                                 rng.integers(1, 40, 6)])]
               for label in labels]
    half = n // 2
    np.savez(dataset_files.path("imdb", "imdb.npz"),
             x_train=dataset_files.ragged(reviews[:half]), y_train=labels[:half],
             x_test=dataset_files.ragged(reviews[half:]), y_test=labels[half:])


def test_a_bag_of_words_classifier_trains_from_load_data(dataset_files):
    sentiment_corpus(dataset_files)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=50)

    def multi_hot(sequences):
        out = np.zeros((len(sequences), 50), np.float32)
        for row, sequence in enumerate(sequences):
            out[row, sequence] = 1.0
        return out

    model = keras.Sequential([keras.Input((50,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(multi_hot(x_train), y_train, epochs=30, batch_size=20, verbose=0)
    _, accuracy = model.evaluate(multi_hot(x_test), y_test, verbose=0)
    assert accuracy >= 0.9


@pytest.mark.skipif(not all(hasattr(keras.layers, name)
                            for name in ("Embedding", "GlobalAveragePooling1D")),
                    reason="needs keras.layers.Embedding and GlobalAveragePooling1D")
def test_an_embedding_classifier_trains_from_load_data(dataset_files):
    sentiment_corpus(dataset_files)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=50)
    pad = keras.utils.pad_sequences
    model = keras.Sequential([
        keras.Input((20,), dtype="int32"), keras.layers.Embedding(50, 8),
        keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(pad(x_train, maxlen=20), y_train, epochs=30, batch_size=20, verbose=0)
    _, accuracy = model.evaluate(pad(x_test, maxlen=20), y_test, verbose=0)
    assert accuracy >= 0.9
