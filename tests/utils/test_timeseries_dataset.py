"""timeseries_dataset_from_array: the windows and targets real Keras 3 yields (tests/fixtures/utils)."""
import numpy as np
import pytest
import torch

import lamina as keras

CASES = ["docstring_example", "features_with_range", "short_targets", "unbatched", "shuffled"]


def call(arrays, kwargs):
    named = dict(kwargs)
    named["data"] = arrays[f"array/{kwargs['data']}"]
    named["targets"] = None if kwargs["targets"] is None else arrays[f"array/{kwargs['targets']}"]
    return keras.utils.timeseries_dataset_from_array(**named)


def collect(ds, unbatched):
    windows, targets, sizes = [], [], []
    for element in ds:
        x, y = element if isinstance(element, tuple) else (element, None)
        x = x[None] if unbatched else x
        windows.append(x.numpy())
        sizes.append(len(x))
        if y is not None:
            targets.append((y[None] if unbatched else y).numpy())
    return np.concatenate(windows), (np.concatenate(targets) if targets else None), sizes


@pytest.mark.parametrize("name", CASES)
def test_windows_targets_and_batches_match_keras(name, keras_reference):
    arrays, cases, _ = keras_reference
    kwargs = cases[name]["kwargs"]
    windows, targets, sizes = collect(call(arrays, kwargs), kwargs["batch_size"] is None)
    expected_windows, expected_targets = arrays[f"{name}/windows"], arrays.get(f"{name}/targets")
    # JAX (which made the reference) narrows int64 to int32; tf.data and lamina keep `data`'s dtype.
    assert windows.dtype.kind == expected_windows.dtype.kind
    if kwargs.get("shuffle"):
        # Keras shuffles the start positions with RandomState(seed), then through a buffer that
        # tf.data/grain seed their own way: the same (window, target) pairs, in another order.
        pairs = sorted(zip(map(tuple, windows.tolist()), targets.tolist()))
        expected = sorted(zip(map(tuple, expected_windows.tolist()), expected_targets.tolist()))
        assert pairs == expected
        assert windows.tolist() != sorted(windows.tolist())
    else:
        np.testing.assert_array_equal(windows, expected_windows)
        if expected_targets is None:
            assert targets is None
        else:
            np.testing.assert_array_equal(targets, expected_targets)
    assert sizes == arrays[f"{name}/windows_batch_sizes"].tolist()


def test_keras_docstring_windows():
    ds = keras.utils.timeseries_dataset_from_array(np.arange(99), None, sequence_length=10,
                                                   sampling_rate=2, sequence_stride=3, batch_size=128)
    windows = next(iter(ds))
    assert windows[0].tolist() == list(range(0, 20, 2)) and windows[1].tolist() == list(range(3, 23, 2))
    assert windows[-1].tolist() == list(range(78, 98, 2)) and len(windows) == 27


def test_next_step_regression_targets_align():
    data = np.arange(30, dtype="float64") ** 2
    ds = keras.utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10, batch_size=4)
    inputs, targets = next(iter(ds))
    np.testing.assert_array_equal(inputs[0].numpy(), data[:10])
    assert targets[0].item() == data[10] and targets[3].item() == data[13]
    assert inputs.dtype == torch.float64  # the dtype of `data`, as tf.gather keeps it


def test_tensors_are_accepted_and_shuffled_passes_are_seeded():
    data = torch.arange(40)
    first = keras.utils.timeseries_dataset_from_array(data, None, 4, batch_size=8, shuffle=True, seed=1)
    again = keras.utils.timeseries_dataset_from_array(data, None, 4, batch_size=8, shuffle=True, seed=1)
    assert [b.tolist() for b in first] == [b.tolist() for b in again]
    assert [b.tolist() for b in first] != [b.tolist() for b in first]  # a new order each pass


@pytest.mark.parametrize("kwargs, message", [
    ({"start_index": -1}, r"`start_index` must be 0 or greater. Received: start_index=-1"),
    ({"start_index": 20}, (r"`start_index` must be lower than the length of the data. Received: "
                           r"start_index=20, for data of length 20")),
    ({"start_index": 5, "end_index": 5}, r"`end_index` must be higher than `start_index`"),
    ({"end_index": 20}, r"`end_index` must be lower than the length of the data"),
    ({"end_index": -3}, r"`end_index` must be higher than 0. Received: end_index=-3"),
    ({"sampling_rate": 0}, r"`sampling_rate` must be higher than 0. Received: sampling_rate=0"),
    ({"sequence_stride": 20}, r"`sequence_stride` must be lower than the length of the data"),
    ({"format": "numpy"}, r'`format` should be either "tf" or "grain"'),
])
def test_bad_arguments_get_keras_messages(kwargs, message):
    with pytest.raises(ValueError, match=message):
        keras.utils.timeseries_dataset_from_array(np.arange(20), None, sequence_length=3, **kwargs)


def test_a_scalar_is_not_a_timeseries():
    with pytest.raises(ValueError, match=r"Argument `data` must be an array with time steps along axis 0"):
        keras.utils.timeseries_dataset_from_array(5, None, sequence_length=3)
