"""The returned dataset object: tf.data's transformations, lengths, and fit/evaluate on it."""
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

import lamina as keras
from lamina import layers
from lamina.utils.dataset import Dataset, buffered_shuffle


def numbers(n=10):
    return Dataset.from_tensor_slices((np.arange(n, dtype="float32"), np.arange(n) % 3))


def flat(ds):
    return [x.tolist() for x, _ in ds]


def test_batch_sizes_lengths_and_drop_remainder():
    ds = numbers().batch(4)
    assert len(ds) == 3 and [len(x) for x, _ in ds] == [4, 4, 2]
    dropped = numbers().batch(4, drop_remainder=True)
    assert len(dropped) == 2 and [len(x) for x, _ in dropped] == [4, 4]
    x, y = next(iter(ds))
    assert x.dtype == torch.float32 and y.dtype == torch.int64
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0] and y.tolist() == [0, 1, 2, 0]
    # Arrays batch by slicing; any other stream stacks its samples: the same batches.
    streamed = numbers().map(lambda x, y: (x, y))
    for drop in (False, True):
        sliced = [(x.tolist(), y.tolist()) for x, y in numbers().batch(4, drop_remainder=drop)]
        assert [(x.tolist(), y.tolist()) for x, y in streamed.batch(4, drop_remainder=drop)] == sliced


def test_unbatch_inverts_batch_and_its_length_is_unknown():
    ds = numbers().batch(3).unbatch()
    assert flat(ds) == list(map(float, range(10)))
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(ds)


def test_map_unpacks_tuples_and_converts_numpy_results():
    ds = numbers(4).map(lambda x, y: (np.asarray(x) * 2, y + 1))
    x, y = next(iter(ds))
    assert isinstance(x, torch.Tensor) and x.item() == 0.0 and y.item() == 1
    assert [x.item() for x, _ in ds] == [0.0, 2.0, 4.0, 6.0]
    single = Dataset.from_tensor_slices(np.arange(3)).map(lambda x: x * 10)
    assert [x.item() for x in single] == [0, 10, 20]


def test_map_runs_without_autograd_but_leaves_it_on_between_elements():
    dense = layers.Dense(2)
    ds = Dataset.from_tensor_slices(np.ones((3, 4), dtype="float32")).batch(2).map(dense)
    for batch in ds:
        assert not batch.requires_grad
        assert torch.is_grad_enabled()  # the consumer's training step needs gradients


def test_shuffle_is_seeded_reshuffles_each_pass_and_keeps_the_elements():
    ds = Dataset.from_tensor_slices(np.arange(50)).shuffle(50, seed=3)
    first, second = [x.item() for x in ds], [x.item() for x in ds]
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second and first != list(range(50))
    again = Dataset.from_tensor_slices(np.arange(50)).shuffle(50, seed=3)
    assert [x.item() for x in again] == first
    frozen = Dataset.from_tensor_slices(np.arange(50)).shuffle(50, seed=3, reshuffle_each_iteration=False)
    assert [x.item() for x in frozen] == [x.item() for x in frozen]


def test_shuffle_buffer_bounds_how_far_an_element_moves_ahead():
    order = list(buffered_shuffle(range(100), 4, np.random.default_rng(0)))
    assert sorted(order) == list(range(100))
    # An element leaves the buffer no earlier than 3 places before its input position.
    assert all(position >= value - 3 for position, value in enumerate(order))
    assert list(buffered_shuffle(range(10), 1, np.random.default_rng(0))) == list(range(10))


def test_unseeded_shuffle_follows_set_random_seed():
    keras.utils.set_random_seed(5)
    first = [x.item() for x in Dataset.from_tensor_slices(np.arange(20)).shuffle(20)]
    keras.utils.set_random_seed(5)
    assert [x.item() for x in Dataset.from_tensor_slices(np.arange(20)).shuffle(20)] == first


def test_take_skip_and_their_lengths():
    ds = numbers()
    assert flat(ds.take(3)) == [0.0, 1.0, 2.0] and len(ds.take(3)) == 3
    assert flat(ds.skip(8)) == [8.0, 9.0] and len(ds.skip(8)) == 2
    assert len(ds.take(-1)) == 10 and len(ds.skip(-1)) == 0 and flat(ds.skip(-1)) == []
    assert len(ds.take(50)) == 10 and len(ds.skip(50)) == 0


def test_repeat_finite_and_infinite():
    ds = numbers(3)
    assert flat(ds.repeat(2)) == [0.0, 1.0, 2.0] * 2 and len(ds.repeat(2)) == 6
    forever = ds.repeat()
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(forever)
    assert len(forever.take(7)) == 7 and flat(forever.take(7)) == [0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0]
    assert flat(ds.take(0).repeat()) == []  # an empty dataset repeated forever ends at once


def test_cache_reads_the_source_once_and_only_keeps_complete_passes():
    reads = []
    ds = Dataset.from_tensor_slices(np.arange(4)).map(lambda x: reads.append(x.item()) or x).cache()
    next(iter(ds))  # an interrupted pass is not cached
    assert [x.item() for x in ds] == [0, 1, 2, 3] and [x.item() for x in ds] == [0, 1, 2, 3]
    assert reads == [0, 0, 1, 2, 3]


def test_prefetch_accepts_autotune_and_refuses_other_negatives():
    assert flat(numbers(3).prefetch(-1)) == [0.0, 1.0, 2.0]
    assert flat(numbers(3).prefetch(buffer_size=2)) == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match=r"`buffer_size` must be a non-negative integer or AUTOTUNE \(-1\)"):
        numbers().prefetch(-3)


def test_strings_batch_into_object_arrays_and_unbatch_to_str():
    ds = Dataset.from_tensor_slices((["a", "bb", "ccc"], np.array([0, 1, 0]))).batch(2)
    texts, labels = next(iter(ds))
    assert texts.dtype == object and texts.tolist() == ["a", "bb"] and labels.tolist() == [0, 1]
    assert [text for text, _ in ds.unbatch()] == ["a", "bb", "ccc"]


def test_as_numpy_iterator_gives_arrays():
    x, y = next(numbers().batch(2).as_numpy_iterator())
    assert isinstance(x, np.ndarray) and x.tolist() == [0.0, 1.0] and y.tolist() == [0, 1]


def test_it_is_a_dataloader_whose_dataset_has_a_length_only_when_known():
    ds = numbers().batch(4)
    assert isinstance(ds, DataLoader) and len(ds.dataset) == 3
    assert not hasattr(ds.repeat().dataset, "__len__")
    assert not hasattr(ds.unbatch().dataset, "__len__")


@pytest.mark.parametrize("call, message", [
    (lambda ds: ds.batch(0), r"Argument `batch_size` must be a positive integer. Received: batch_size=0"),
    (lambda ds: ds.shuffle(0), r"Argument `buffer_size` must be a positive integer"),
    (lambda ds: ds.take(-2), r"Argument `count` must be a non-negative integer, or -1 for all"),
    (lambda ds: ds.shuffle(4, seed=-1), r"Argument `seed` must be a non-negative integer or None"),
])
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call(numbers())


def test_map_needs_a_function():
    with pytest.raises(TypeError, match=r"Argument `map_func` must be a function"):
        numbers().map("x / 255")


def test_batching_different_shapes_says_how_to_fix_it():
    ds = Dataset.from_tensor_slices(np.arange(3)).map(lambda x: torch.zeros(int(x) + 1)).batch(3)
    with pytest.raises(ValueError, match=r"Cannot batch elements of different shapes \[\(1,\), \(2,\), \(3,\)\]"):
        next(iter(ds))


def test_slices_need_equal_lengths():
    with pytest.raises(ValueError, match=r"same first dimension; received sizes \[2, 3\]"):
        Dataset.from_tensor_slices((np.zeros(2), np.zeros(3)))


def _regression_data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ np.array([1.0, -2.0, 0.5], dtype="float32"))[:, None]


def test_fit_evaluate_predict_take_a_dataset_like_the_same_arrays():
    x, y = _regression_data()
    histories = []
    for source in ("arrays", "dataset"):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        if source == "arrays":
            history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
            evaluated = model.evaluate(x, y, batch_size=16, verbose=0)
            predicted = model.predict(x, batch_size=16, verbose=0)
        else:
            ds = Dataset.from_tensor_slices((x, y)).batch(16)
            history = model.fit(ds, epochs=3, verbose=0)
            evaluated = model.evaluate(ds, verbose=0)
            predicted = model.predict(ds.map(lambda features, _: features), verbose=0)
        histories.append((history.history["loss"], evaluated, predicted))
    (loss_a, eval_a, pred_a), (loss_d, eval_d, pred_d) = histories
    np.testing.assert_allclose(loss_d, loss_a, rtol=1e-6)
    np.testing.assert_allclose(eval_d, eval_a, rtol=1e-6)
    np.testing.assert_allclose(pred_d, pred_a, rtol=1e-6)
    assert loss_a[-1] < loss_a[0]


def test_fit_on_a_repeated_dataset_with_steps_per_epoch():
    x, y = _regression_data(32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(Dataset.from_tensor_slices((x, y)).batch(8).repeat(), steps_per_epoch=6,
                        epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_cardinality_as_tf_data_reports_it():
    ds = Dataset.from_tensor_slices(np.arange(10))
    assert ds.batch(4).cardinality() == 3
    assert ds.batch(4, drop_remainder=True).cardinality() == 2
    assert ds.repeat().cardinality() == -1


def test_numpy_functions_take_a_batch_as_an_array_as_with_tf_data():
    # Deep Learning with Python's naive baseline: np.sum(np.abs(preds - targets)) per batch.
    series = np.arange(80, dtype="float32").reshape(40, 2)
    dataset = keras.utils.timeseries_dataset_from_array(series, np.arange(40.0),
                                                         sequence_length=3, batch_size=8)
    samples, targets = next(iter(dataset))
    preds = samples[:, -1, 1] * 1.0
    np.testing.assert_allclose(np.sum(np.abs(preds - targets)), np.sum(np.abs(
        series[2:10, 1] - np.arange(8.0))))
    assert np.std(samples, axis=0).shape == (3, 2) and isinstance(np.ones(8) + targets, np.ndarray)
    model = keras.Sequential([keras.Input((3, 2)), layers.Flatten(), layers.Dense(1)])
    assert type(model(samples)) is not keras.backend.DataTensor  # layers run on plain tensors


def test_filter_reduce_and_get_single_element_work_as_in_tf_data():
    windows = keras.utils.timeseries_dataset_from_array(
        np.arange(20.0).reshape(10, 2), np.arange(10), sequence_length=4, batch_size=3)
    late = windows.unbatch().filter(lambda x, y: y > 3)  # windows starting at rows 4, 5, 6
    assert late.cardinality() == -2  # unknown, as tf.data says after a filter
    assert late.reduce(0, lambda count, element: count + 1) == 3
    first_inputs, first_targets = windows.take(1).get_single_element()
    assert tuple(first_inputs.shape) == (3, 4, 2) and first_targets.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="exactly one element, but this one has more than one"):
        windows.get_single_element()
