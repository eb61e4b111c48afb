"""The engine's data layer: array checks that never hang, and IterableData's pass/epoch rules."""
import threading
import warnings

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import lamina
from lamina.engine.data import ArrayData, class_weights_to_samples
from lamina.engine.iterable_data import IterableData
from lamina.engine.sources import is_batch_source
from lamina.utils import PyDataset, Sequence


def batches_of(n_batches, batch=4, features=3):
    x = np.arange(n_batches * batch * features, dtype="float64").reshape(-1, features)
    y = np.arange(n_batches * batch)
    return [(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]) for i in range(n_batches)]


class ListDataset(PyDataset):
    def __init__(self, items, **kwargs):
        super().__init__(**kwargs)
        self.items = items
        self.calls = []

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        self.calls.append(index)
        return self.items[index]


def first_labels(batches):
    return [int(y[0]) for _, y, _ in batches]


# ---------------------------------------------------------------------- never a hang
class EndlessSamples:
    """A map-style sample container whose __getitem__ never raises IndexError."""

    def __len__(self):
        return 10

    def __getitem__(self, index):
        return [index, index]


def call_with_timeout(function, seconds=5.0):
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 (reported to the test thread)
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the call hung"
    return outcome


@pytest.mark.parametrize("value, fragment", [
    (EndlessSamples(), "with __len__/__getitem__"),
    ("pixels.csv", "received the string 'pixels.csv'"),
    ({1, 2, 3}, "an object of type set"),
    (TensorDataset(torch.zeros(4, 2)), "Wrap it in a DataLoader"),
    ([EndlessSamples()], "an object of type EndlessSamples"),
])
def test_unsupported_x_is_keras_value_error_not_a_hang(value, fragment):
    outcome = call_with_timeout(lambda: ArrayData.from_user(value, device="cpu"))
    assert isinstance(outcome.get("error"), ValueError), outcome
    assert fragment in str(outcome["error"])
    assert "generator" in str(outcome["error"]) or "DataLoader" in str(outcome["error"])


def test_a_generator_as_y_is_a_value_error_as_in_keras():
    with pytest.raises(ValueError, match="can only be passed as `x`"):
        ArrayData.from_user(np.zeros((2, 3)), (y for y in [1, 2]), device="cpu")


def test_array_likes_still_convert():
    class Frame:
        def __array__(self, dtype=None, copy=None):
            return np.ones((3, 2))

    data = ArrayData.from_user(Frame(), [[1], [2], [3]], device="cpu")
    assert data.x.shape == (3, 2) and data.x.dtype == torch.float32 and data.size == 3


@pytest.mark.parametrize("value, expected", [
    ((i for i in range(2)), True), (iter([1]), True), (DataLoader(TensorDataset(torch.zeros(2))), True),
    (ListDataset([]), True), (np.zeros(2), False), ([1, 2], False), ({"a": np.zeros(2)}, False),
    (torch.zeros(2), False),
])
def test_is_batch_source(value, expected):
    assert is_batch_source(value) is expected


# ---------------------------------------------------------------------- IterableData
def test_a_generator_runs_one_pass_then_replays_its_first_two_batches_as_keras_does():
    data = IterableData(iter(batches_of(3)), "cpu")
    first = data.first_batch()
    assert first.x.dtype == torch.float32 and first.size == 4  # float64 -> floatx, as for arrays
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        assert first_labels(data.batches()) == [0, 4, 8]  # the peeked batch is handed out first
    assert not data.exhausted and data.steps() is None
    # Keras chains the two batches it peeked at back in front of the spent generator.
    assert first_labels(data.batches()) == [0, 4]
    assert first_labels(data.batches()) == [0, 4]


def test_steps_resume_a_generator_and_warn_when_it_runs_dry():
    data = IterableData(iter(batches_of(5)), "cpu")
    assert first_labels(data.batches(steps=2)) == [0, 4]
    assert first_labels(data.batches(steps=2)) == [8, 12]
    with pytest.warns(UserWarning, match=r"ran out of data after 1 of steps_per_epoch=2 batches"):
        assert first_labels(data.batches(steps=2)) == [16]
    assert first_labels(data.batches(steps=2)) == [0, 4]  # Keras' replay of its peeked two


@pytest.mark.parametrize("make", [
    lambda items: DataLoader(_Items(items), batch_size=None),
    lambda items: ListDataset(items),
])
def test_restartable_sources_follow_keras_steps_per_epoch(make):
    data = IterableData(make(batches_of(3)), "cpu")
    assert data.steps() == 3
    assert first_labels(data.batches()) == [0, 4, 8]
    assert first_labels(data.batches()) == [0, 4, 8]  # a new pass per epoch
    assert first_labels(data.batches(steps=2)) == [0, 4]
    with pytest.warns(UserWarning, match="ran out of data after 1 of steps_per_epoch=2"):
        assert first_labels(data.batches(steps=2)) == [8]  # the pass ends the epoch early
    assert first_labels(data.batches(steps=2)) == [0, 4]
    assert not data.exhausted


class _Items(torch.utils.data.Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]


def test_evaluation_data_restarts_after_a_partial_pass():
    data = IterableData(ListDataset(batches_of(3)), "cpu", resume=False)
    assert first_labels(data.batches(steps=2)) == [0, 4]
    assert first_labels(data.batches(steps=2)) == [0, 4]


def test_pydataset_hooks_run_once_per_pass_and_shuffle_reorders_batches():
    class Hooked(ListDataset):
        begins = ends = 0

        def on_epoch_begin(self):
            self.begins += 1

        def on_epoch_end(self):
            self.ends += 1

    dataset = Hooked(batches_of(6))
    data = IterableData(dataset, "cpu")
    orders = [first_labels(data.batches(shuffle=True)) for _ in range(3)]
    assert all(sorted(order) == [0, 4, 8, 12, 16, 20] for order in orders)
    assert any(order != [0, 4, 8, 12, 16, 20] for order in orders)
    assert (dataset.begins, dataset.ends) == (3, 3)
    assert first_labels(data.batches(shuffle=False)) == [0, 4, 8, 12, 16, 20]


def test_pydataset_threads_keep_the_order():
    dataset = ListDataset(batches_of(7), workers=3, max_queue_size=2)
    assert first_labels(IterableData(dataset, "cpu").batches()) == [0, 4, 8, 12, 16, 20, 24]


@pytest.mark.parametrize("raw, expected", [
    (np.ones((2, 3)), ((2, 3), None, None)),
    ((np.ones((2, 3)),), ((2, 3), None, None)),
    ([np.ones((2, 3)), np.zeros(2)], ((2, 3), (2,), None)),
    ((np.ones((2, 3)), np.zeros(2), np.full(2, 2)), ((2, 3), (2,), (2,))),
])
def test_batch_forms_follow_keras_data_convention(raw, expected):
    x, y, sample_weight = next(IterableData(iter([raw]), "cpu").batches())
    shapes = tuple(None if t is None else tuple(t.shape) for t in (x, y, sample_weight))
    assert shapes == expected
    if sample_weight is not None:
        assert sample_weight.dtype == torch.float32


def test_nested_inputs_become_lists_and_dicts_of_tensors():
    raw = ({"a": np.ones((2, 3)), "b": [np.zeros((2, 1)), np.zeros((2, 1))]}, np.zeros(2))
    x, y, _ = next(IterableData(iter([raw]), "cpu").batches())
    assert isinstance(x["a"], torch.Tensor) and isinstance(x["b"], list) and x["b"][1].shape == (2, 1)


def test_bad_batches_name_the_source():
    with pytest.raises(ValueError, match="tuple of length 4"):
        next(IterableData(iter([(1, 2, 3, 4)]), "cpu").batches())
    with pytest.raises(TypeError, match="A batch from the generator has `x`"):
        next(IterableData((s for s in ["text"]), "cpu").batches())
    with pytest.raises(ValueError, match="yielded no batch"):
        IterableData(iter([]), "cpu").first_batch()


def test_class_weight_on_pydataset_batches():
    data = IterableData(ListDataset([(np.ones((3, 2)), np.array([0, 1, 1]))]), "cpu",
                        class_weight={0: 1.0, 1: 2.5})
    _, _, sample_weight = next(data.batches())
    np.testing.assert_allclose(sample_weight.numpy(), [1.0, 2.5, 2.5], rtol=0, atol=0)


def test_class_weights_to_samples_with_one_hot_labels():
    one_hot = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    weights = class_weights_to_samples({1: 4.0}, one_hot, torch.tensor([0.5, 2.0]))
    np.testing.assert_allclose(weights.numpy(), [2.0, 2.0], rtol=0, atol=0)


def test_sequence_is_pydataset_and_missing_super_init_warns():
    assert Sequence is PyDataset

    class NoSuper(PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

    with pytest.warns(UserWarning, match=r"should call `super\(\).__init__\(\*\*kwargs\)`"):
        assert NoSuper().workers == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ListDataset([], workers=4, use_multiprocessing=True, max_queue_size=3).workers == 4


@pytest.mark.parametrize("as_structure", [list, lambda ws: {"a": ws[0], "b": ws[1]}],
                         ids=["list", "dict"])
def test_sample_weights_per_output_weigh_each_outputs_loss(as_structure):
    # Keras: one sample_weight array per output, as a list in output order or a dict by name.
    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, [lamina.layers.Dense(1, name="a")(inputs),
                                  lamina.layers.Dense(1, name="b")(inputs)])
    model.compile(optimizer="sgd", loss=["mse", "mse"])
    x, y = np.ones((4, 3), "float32"), [np.zeros((4, 1), "float32")] * 2
    plain = model.evaluate(x, y, verbose=0, return_dict=True)
    weights = as_structure([np.array([1, 0, 0, 0], "float32"), np.zeros(4, "int64")])
    weighted = model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)
    # sum_over_batch_size: the weighted sum over the batch of 4, one row kept of output a.
    assert weighted["a_loss"] == pytest.approx(plain["a_loss"] / 4, rel=1e-6)
    assert weighted["b_loss"] == 0.0
    model.fit(x, y, sample_weight=weights, epochs=1, verbose=0)
