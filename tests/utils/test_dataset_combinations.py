"""tf.data's concatenate, enumerate, apply and Dataset.zip on lamina's Dataset, and the error for
the tf.data methods it lacks. Expected values are what TensorFlow 2.21's tf.data gives."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina.utils.dataset import INFINITE, UNKNOWN, Dataset


def numbers(*values):
    return Dataset.from_tensor_slices(np.array(values, dtype="int64"))


def as_python(element):
    if isinstance(element, dict):
        return {key: as_python(value) for key, value in element.items()}
    if isinstance(element, tuple):
        return tuple(as_python(value) for value in element)
    return element.tolist() if isinstance(element, torch.Tensor) else element


# ----------------------------------------------------------------------------- concatenate
def test_concatenate_yields_this_dataset_then_the_other_on_every_pass():
    both = numbers(0, 1, 2).concatenate(numbers(10, 11))
    assert [int(x) for x in both] == [0, 1, 2, 10, 11]
    assert [int(x) for x in both] == [0, 1, 2, 10, 11]
    assert both.cardinality() == len(both) == 5


def test_concatenate_keeps_structures_batches_and_text():
    first = Dataset.from_tensor_slices(({"x": np.arange(3.0)}, np.array([0, 1, 0]))).batch(2)
    second = Dataset.from_tensor_slices(({"x": np.arange(5.0, 7.0)}, np.array([1, 1]))).batch(2)
    assert [as_python(e) for e in first.concatenate(second)] == [
        ({"x": [0.0, 1.0]}, [0, 1]), ({"x": [2.0]}, [0]), ({"x": [5.0, 6.0]}, [1, 1])]
    text = Dataset.from_tensor_slices(["ab"]).concatenate(Dataset.from_tensor_slices(["abcdef"]))
    assert list(text) == ["ab", "abcdef"]


@pytest.mark.parametrize("first, second, expected", [
    (lambda: numbers(0, 1, 2).repeat(), lambda: numbers(5), INFINITE),
    (lambda: numbers(0, 1, 2), lambda: numbers(5).repeat(), INFINITE),
    (lambda: numbers(0, 1, 2).filter(lambda x: x > 0), lambda: numbers(5), UNKNOWN),
    (lambda: numbers(0, 1, 2).filter(lambda x: x > 0), lambda: numbers(5).repeat(), INFINITE),
], ids=["infinite+finite", "finite+infinite", "unknown+finite", "unknown+infinite"])
def test_concatenate_cardinality_follows_tf_data(first, second, expected):
    assert first().concatenate(second()).cardinality() == expected


def test_concatenated_batches_fit_like_one_dataset():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(24, 3)).astype("float32"), rng.normal(size=(24, 1)).astype("float32")

    def trained(data):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(data, epochs=2, shuffle=False, verbose=0)
        return model.get_weights()

    halves = Dataset.from_tensor_slices((x[:16], y[:16])).batch(8).concatenate(
        Dataset.from_tensor_slices((x[16:], y[16:])).batch(8))
    for got, expected in zip(trained(halves), trained(Dataset.from_tensor_slices((x, y)).batch(8))):
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("second, received", [
    (lambda: Dataset.from_tensor_slices(np.ones(2, "float32")), "torch.float32"),
    (lambda: Dataset.from_tensor_slices((np.arange(2), np.arange(2))), r"\(torch.int64, torch.int64\)"),
], ids=["dtype", "structure"])
def test_concatenate_refuses_other_structures_or_dtypes(second, received):
    with pytest.raises(TypeError, match=f"Incompatible dataset elements.*first yields torch.int64 and "
                                        f"the second {received}"):
        list(numbers(0, 1).concatenate(second()))


def test_concatenate_needs_a_dataset():
    with pytest.raises(TypeError, match=r"Argument `dataset` must be a Dataset.*Received: dataset=\[1\]"):
        numbers(0).concatenate([1])


# ----------------------------------------------------------------------------- enumerate
def test_enumerate_pairs_int64_indices_with_the_elements():
    pairs = list(Dataset.from_tensor_slices((np.array([1.0, 2.0], "float32"), np.array([3, 4]))).enumerate(5))
    assert [as_python(pair) for pair in pairs] == [(5, (1.0, 3)), (6, (2.0, 4))]
    assert all(index.dtype == torch.int64 and index.ndim == 0 for index, _ in pairs)
    assert [as_python(pair) for pair in numbers(7, 8, 9).enumerate()] == [(0, 7), (1, 8), (2, 9)]


def test_enumerate_keeps_the_cardinality_and_counts_each_pass_from_start():
    data = numbers(7, 8).enumerate(3)
    assert data.cardinality() == 2
    assert [int(i) for i, _ in data] == [3, 4] == [int(i) for i, _ in data]
    assert numbers(7).repeat().enumerate().cardinality() == INFINITE


def test_enumerate_refuses_a_start_that_is_not_an_integer():
    with pytest.raises(TypeError, match=r"Argument `start` must be an integer.*start=1.5"):
        numbers(1).enumerate(1.5)


# ----------------------------------------------------------------------------- apply
def test_apply_returns_what_the_function_makes_of_the_dataset():
    def batch_pairs(dataset):
        return dataset.batch(2)

    data = numbers(0, 1, 2).apply(batch_pairs)
    assert [x.tolist() for x in data] == [[0, 1], [2]]


def test_apply_refuses_a_function_that_returns_no_dataset():
    with pytest.raises(TypeError, match=r"`transformation_func` must return a Dataset.*returned an object of type int: 3"):
        numbers(0).apply(lambda dataset: 3)


# ----------------------------------------------------------------------------- zip
@pytest.mark.parametrize("zipped", [
    lambda a, b: Dataset.zip(a, b), lambda a, b: Dataset.zip((a, b)),
    lambda a, b: Dataset.zip(datasets=(a, b)),
], ids=["arguments", "tuple", "datasets="])
def test_zip_pairs_elements_and_stops_with_the_shortest(zipped):
    data = zipped(numbers(0, 1, 2), numbers(10, 11))
    assert [as_python(e) for e in data] == [(0, 10), (1, 11)]
    assert data.cardinality() == 2


def test_zip_of_nested_structures_and_of_one_dataset():
    a, b = numbers(0, 1), numbers(10, 11)
    assert [as_python(e) for e in Dataset.zip({"p": a, "q": (b, a)})] == [
        {"p": 0, "q": (10, 0)}, {"p": 1, "q": (11, 1)}]
    assert [as_python(e) for e in Dataset.zip(a)] == [0, 1]
    assert [as_python(e) for e in Dataset.zip((a,))] == [(0,), (1,)]


def test_zipped_features_and_labels_train():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    data = Dataset.zip(Dataset.from_tensor_slices(x), Dataset.from_tensor_slices(y)).batch(4)
    assert len(model.fit(data, epochs=2, verbose=0).history["loss"]) == 2


@pytest.mark.parametrize("sizes, expected", [
    ((lambda: numbers(0, 1, 2), lambda: numbers(5).repeat()), 3),
    ((lambda: numbers(0).repeat(), lambda: numbers(5).repeat()), INFINITE),
    ((lambda: numbers(0, 1).filter(lambda x: x > 0), lambda: numbers(5)), UNKNOWN),
    ((lambda: numbers(0, 1).filter(lambda x: x > 0), lambda: numbers(5).repeat()), UNKNOWN),
], ids=["finite+infinite", "infinite+infinite", "unknown+finite", "unknown+infinite"])
def test_zip_cardinality_follows_tf_data(sizes, expected):
    assert Dataset.zip(*(make() for make in sizes)).cardinality() == expected


@pytest.mark.parametrize("call, message", [
    (lambda: Dataset.zip(), "needs at least one dataset"),
    (lambda: Dataset.zip((numbers(0), numbers(1)), datasets=(numbers(0),)), "not both"),
    (lambda: Dataset.zip(numbers(0), 3), "it holds an object of type int"),
    (lambda: Dataset.zip([numbers(0), numbers(1)]), "a list, which tf.data does not accept"),
], ids=["nothing", "both", "not a dataset", "list"])
def test_zip_refuses_what_tf_data_refuses(call, message):
    with pytest.raises(TypeError, match=message):
        call()


# ----------------------------------------------------------------------------- missing methods
@pytest.mark.parametrize("method, hint", [
    ("padded_batch", "pad_sequences"), ("rebatch", r"\.unbatch\(\)\.batch\(batch_size\)"),
    ("element_spec", r"next\(iter\(dataset\)\)"), ("interleave", ""),
])
def test_a_tf_data_method_lamina_lacks_says_so_and_lists_what_it_has(method, hint):
    with pytest.raises(AttributeError, match=f"no attribute '{method}': lamina's Dataset has part of "
                                             f"tf.data.Dataset's API, and not `{method}`.*{hint}") as error:
        getattr(numbers(0, 1).batch(2), method)
    assert error.match("It has: apply, as_numpy_iterator, batch, cache, cardinality, concatenate, "
                       "enumerate, filter, from_tensor_slices")
    assert not hasattr(numbers(0), method)


def test_other_missing_names_keep_python_error_and_suggestion():
    with pytest.raises(AttributeError) as error:
        numbers(0).bacth  # noqa: B018
    assert "lamina's Dataset" not in str(error.value) and error.value.name == "bacth"
