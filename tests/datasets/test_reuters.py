"""reuters.load_data / get_word_index / get_label_names on small reuters.npz files.

The fixture: stories [[1, 2], [3], [4, 5, 6], [7], [8, 9]] with topics [3, 4, 19, 1, 45].
np.random.RandomState(113) orders them [1, 0, 3, 2, 4]; the default shift (+3, start mark
1) gives [1,6] [1,4,5] [1,10] [1,7,8,9] [1,11,12]; the largest index, 12, becomes oov 2;
the first int(5 * 0.8) = 4 stories are the training split.
"""
import numpy as np
import pytest

import lamina as keras
from lamina.datasets import DatasetIntegrityError

reuters = keras.datasets.reuters
STORIES = [[1, 2], [3], [4, 5, 6], [7], [8, 9]]
TOPICS = [3, 4, 19, 1, 45]


@pytest.fixture
def corpus(dataset_files):
    np.savez(dataset_files.path("reuters", "reuters.npz"), x=dataset_files.ragged(STORIES),
             y=np.array(TOPICS))


def as_lists(loaded):
    (x_train, y_train), (x_test, y_test) = loaded
    return [list(x) for x in x_train], y_train.tolist(), [list(x) for x in x_test], y_test.tolist()


@pytest.mark.parametrize("kwargs, expected", [
    ({}, ([[1, 6], [1, 4, 5], [1, 10], [1, 7, 8, 9]], [4, 3, 1, 19], [[1, 11, 2]], [45])),
    ({"test_split": 0.4}, ([[1, 6], [1, 4, 5], [1, 10]], [4, 3, 1],
                           [[1, 7, 8, 9], [1, 11, 2]], [19, 45])),
    ({"test_split": 0.0}, ([[1, 6], [1, 4, 5], [1, 10], [1, 7, 8, 9], [1, 11, 2]],
                           [4, 3, 1, 19, 45], [], [])),
    # maxlen keeps [1,6] and [1,10]; their largest index, 10, becomes oov; split at int(1.6).
    ({"maxlen": 3}, ([[1, 6]], [4], [[1, 2]], [1])),
    ({"num_words": 8, "skip_top": 2}, ([[2, 6], [2, 4, 5], [2, 2], [2, 7, 2, 2]], [4, 3, 1, 19],
                                       [[2, 2, 2]], [45])),
    ({"oov_char": None, "num_words": 8}, ([[1, 6], [1, 4, 5], [1], [1, 7]], [4, 3, 1, 19],
                                          [[1]], [45])),
    ({"start_char": None, "index_from": 0, "num_words": 100},
     ([[3], [1, 2], [7], [4, 5, 6]], [4, 3, 1, 19], [[8, 9]], [45])),
])
def test_hand_computed_results(corpus, kwargs, expected):
    assert as_lists(reuters.load_data(**kwargs)) == expected


def test_types_shapes_and_seed(corpus):
    (x_train, y_train), (x_test, y_test) = reuters.load_data()
    assert x_train.dtype == object and x_train.shape == (4,) and x_test.shape == (1,)
    assert y_train.dtype == np.int64 and y_test.shape == (1,)
    assert all(type(x) is list for x in x_test)
    order = np.arange(5)
    np.random.RandomState(0).shuffle(order)
    x_train, y_train, x_test, y_test = as_lists(reuters.load_data(
        seed=0, start_char=None, index_from=0, num_words=100, test_split=0.0))
    assert x_train == [STORIES[i] for i in order] and y_train == [TOPICS[i] for i in order]


@pytest.mark.parametrize("test_split", [1.5, -0.1, "0.2", 20])
def test_test_split_outside_zero_one_is_refused(corpus, test_split):
    with pytest.raises(ValueError, match=r"`test_split` must be a fraction between 0 and 1 "
                                         r"\(0.2 keeps 20% of the stories for testing\), but "
                                         rf"received test_split={test_split!r}"):
        reuters.load_data(test_split=test_split)


def test_maxlen_that_keeps_nothing_is_refused(corpus):
    with pytest.raises(ValueError, match="maxlen=2, no sequence was kept. Increase maxlen."):
        reuters.load_data(maxlen=2)


def test_file_without_x_and_y_is_named(dataset_files):
    path = dataset_files.path("reuters", "reuters.npz")
    np.savez(path, x_train=dataset_files.ragged(STORIES))
    with pytest.raises(DatasetIntegrityError, match=r"lacks the arrays \['x', 'y'\]") as info:
        reuters.load_data()
    assert str(path) in str(info.value)


def test_label_names_are_keras_46_topics():
    names = reuters.get_label_names()
    assert isinstance(names, tuple) and len(names) == 46 and len(set(names)) == 46
    assert (names[0], names[3], names[4], names[19], names[45]) == (
        "cocoa", "earn", "acq", "money-fx", "lead")


def test_get_word_index_reads_the_placed_file(dataset_files):
    dataset_files.path("reuters", "reuters_word_index.json").write_text('{"said": 1, "mln": 2}')
    assert reuters.get_word_index() == {"said": 1, "mln": 2}
