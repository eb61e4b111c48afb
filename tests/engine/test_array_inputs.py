"""Array inputs the way users hand them over: read-only memory, NaNs anywhere, class weights for
some classes, steps_per_epoch beyond the data. Keras' numbers come from
tests/fixtures/engine/make_keras_fit_edge_cases.py (Keras 3.15 on JAX)."""
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers
from lamina.engine import data as data_module
from lamina.engine.data import ArrayData, class_weights_to_samples

FIXTURE = json.loads((Path(__file__).parents[1] / "fixtures" / "engine" / "keras_fit_edge_cases.json")
                     .read_text())


def compiled_classifier(inputs=4, classes=3, optimizer="adam"):
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(inputs,)),
                              layers.Dense(classes, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def toy_data(n=40, inputs=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, inputs)).astype("float32"), rng.integers(0, classes, n)


# ---------------------------------------------------------------------- read-only arrays
def _saved_npy(array, folder):
    path = folder / "array.npy"
    np.save(path, array)
    return path


READ_ONLY_MAKERS = {
    "np.load(mmap_mode='r')": lambda a, tmp: np.load(_saved_npy(a, tmp), mmap_mode="r"),
    "np.memmap(mode='r')": lambda a, tmp: (a.tofile(tmp / "raw.bin"),
                                          np.memmap(tmp / "raw.bin", a.dtype, "r", shape=a.shape))[1],
    "np.frombuffer": lambda a, tmp: np.frombuffer(a.tobytes(), a.dtype).reshape(a.shape),
    "writeable=False": lambda a, tmp: _frozen(a.copy()),
}


def _frozen(array):
    array.setflags(write=False)
    return array


@pytest.mark.parametrize("make", list(READ_ONLY_MAKERS.values()), ids=list(READ_ONLY_MAKERS))
def test_read_only_arrays_train_evaluate_and_predict_as_writable_ones(make, tmp_path):
    x, y = toy_data()
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    read_only_x, read_only_y = make(x, tmp_path / "x"), make(y, tmp_path / "y")
    assert not read_only_x.flags.writeable and not read_only_y.flags.writeable

    def run(inputs, labels):
        keras.utils.set_random_seed(3)
        model = compiled_classifier()
        history = model.fit(inputs, labels, epochs=2, batch_size=8, verbose=0)
        return (history.history["loss"], model.evaluate(inputs, labels, verbose=0),
                model.predict(inputs, verbose=0), model.predict_on_batch(inputs))

    expected, received = run(x, y), run(read_only_x, read_only_y)
    assert received[0] == expected[0] and received[1] == expected[1]
    np.testing.assert_array_equal(received[2], expected[2])
    np.testing.assert_array_equal(received[3], expected[3])
    np.testing.assert_array_equal(np.asarray(read_only_x), x)  # the source memory is untouched


def test_a_read_only_array_is_viewed_once_and_each_batch_is_a_copy():
    x = _frozen(np.arange(40, dtype="float32").reshape(10, 4))
    data = ArrayData.from_user(x, device="cpu")
    assert np.shares_memory(data.x.numpy(), x)  # no copy of the whole array
    for shuffle in (False, True):
        for batch, _, _ in data.batches(batch_size=4, shuffle=shuffle):
            assert not np.shares_memory(batch.numpy(), x)
            batch.mul_(0)  # what an in-place layer would do: the source is safe
    np.testing.assert_array_equal(x, np.arange(40, dtype="float32").reshape(10, 4))


def test_writable_arrays_still_give_in_order_batches_as_views():
    x = np.arange(40, dtype="float32").reshape(10, 4)
    batch, _, _ = next(ArrayData.from_user(x, device="cpu").batches(batch_size=4))
    assert np.shares_memory(batch.numpy(), x)


@pytest.mark.parametrize("make", [
    lambda a: np.frombuffer(a.astype(">f4").tobytes(), ">f4").reshape(a.shape),  # big-endian
    lambda a: _frozen(a.copy())[::-1],  # negative stride
    lambda a: _frozen(a.astype("float64")),
], ids=["big-endian", "reversed", "float64"])
def test_read_only_layouts_torch_cannot_view_are_converted(make):
    x = np.arange(12, dtype="float32").reshape(3, 4)
    source = make(x)
    data = ArrayData.from_user(source, device="cpu")
    assert data.x.dtype == torch.float32
    np.testing.assert_array_equal(data.x.numpy(), np.asarray(source, dtype="float32"))


def test_a_generator_of_memmap_slices_trains(tmp_path):
    x, y = toy_data()
    mapped = np.load(_saved_npy(x, tmp_path), mmap_mode="r")

    def batches():
        for start in range(0, len(x), 8):
            yield mapped[start:start + 8], y[start:start + 8]

    history = compiled_classifier().fit(batches(), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# ---------------------------------------------------------------------- NaN / Inf, in chunks
def test_a_nan_in_the_last_chunk_is_found(monkeypatch):
    monkeypatch.setattr(data_module, "NAN_CHECK_CHUNK_ELEMENTS", 8)  # 2 rows of 4 per chunk
    x, y = toy_data(n=63)
    x[62, 3] = np.nan
    with pytest.warns(UserWarning, match=r"^Argument `x` contains NaN values \(first in sample "
                                         r"62, 1 samples in all\)\. Training on them makes the "
                                         r"loss NaN"):
        history = compiled_classifier().fit(x, y, verbose=0)
    assert np.isnan(history.history["loss"][0])  # trained on, as Keras does


def test_non_finite_rows_are_counted_across_chunks(monkeypatch):
    monkeypatch.setattr(data_module, "NAN_CHECK_CHUNK_ELEMENTS", 8)
    x, y = toy_data(n=20)
    x[5, 0] = x[13, 2] = np.inf
    x[19] = -np.inf
    with pytest.warns(UserWarning, match=r"`x` contains infinite values \(first in sample 5, 3 "
                                         r"samples"):
        compiled_classifier().evaluate(x, y, verbose=0)
    labels = y.astype("float32")
    labels[17] = np.nan
    with pytest.warns(UserWarning, match=r"`y` contains NaN values \(first in sample 17, 1 samples"):
        # ... and the sparse loss then refuses a NaN class label.
        with pytest.raises(ValueError, match="expects integer class labels"):
            compiled_classifier().evaluate(toy_data(n=20)[0], labels, verbose=0)


def test_predict_passes_nan_on_without_a_word_as_keras_does(recwarn):
    x, _ = toy_data(n=8)
    x[2, 1] = np.nan
    predictions = compiled_classifier().predict(x, verbose=0)
    assert np.isnan(predictions[2]).all() and np.isfinite(np.delete(predictions, 2, 0)).all()
    assert not [w for w in recwarn if "NaN" in str(w.message)]


def test_the_nan_check_reads_a_bounded_chunk_at_a_time(monkeypatch):
    seen = []
    real_aminmax = torch.aminmax
    monkeypatch.setattr(torch, "aminmax", lambda t: seen.append(t.numel()) or real_aminmax(t))
    monkeypatch.setattr(data_module, "NAN_CHECK_CHUNK_ELEMENTS", 100)
    ArrayData.from_user(np.zeros((1000, 10), "float32"), np.zeros(1000), device="cpu")
    assert max(seen) == 100 and sum(seen) == 10_000 + 1000  # x, then y


# ---------------------------------------------------------------------- class_weight
CLASS_WEIGHT = FIXTURE["class_weight"]


@pytest.mark.parametrize("case", CLASS_WEIGHT["cases"], ids=lambda c: str(c["class_weight"]))
def test_partial_class_weight_matches_keras_and_a_float64_reference(case):
    x, y = np.array(CLASS_WEIGHT["x"], "float32"), np.array(CLASS_WEIGHT["y"])
    kernel, bias = np.array(CLASS_WEIGHT["kernel"]), np.array(CLASS_WEIGHT["bias"])
    class_weight = {int(label): weight for label, weight in case["class_weight"].items()}
    model = keras.Sequential([layers.Dense(4, activation="softmax", input_shape=(4,))])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0),
                  loss="sparse_categorical_crossentropy")
    model.set_weights([kernel.astype("float32"), bias.astype("float32")])
    loss = model.fit(x, y, batch_size=12, shuffle=False, verbose=0,
                     class_weight=class_weight).history["loss"][0]
    logits = x.astype("float64") @ kernel + bias
    log_probabilities = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    weights = np.array([class_weight.get(label, 1.0) for label in y])  # Keras: unlisted -> 1.0
    expected = float(np.mean(-log_probabilities[np.arange(len(y)), y] * weights))
    assert loss == pytest.approx(expected, rel=1e-5)
    assert loss == pytest.approx(case["loss"], rel=1e-5)


def test_unlisted_classes_weigh_one_for_integer_and_one_hot_labels():
    labels = torch.tensor([0, 1, 2, 3, 1])
    assert class_weights_to_samples({0: 0.5}, labels, None).tolist() == [0.5, 1, 1, 1, 1]
    assert class_weights_to_samples({3: 4.0, 1: 2.0}, labels, None).tolist() == [1, 2, 1, 4, 2]
    one_hot = torch.eye(4)[labels]
    assert class_weights_to_samples({1: 2.0}, one_hot, None).tolist() == [1, 2, 1, 1, 2]


@pytest.mark.parametrize("class_weight, message", [
    ({-1: 2.0}, r"must map class indices \(integers >= 0\) to weights, but has the key -1"),
    ({"cat": 2.0}, r"must map class indices .* but has the key 'cat'"),
    ({0: "high"}, r"must map class indices to numbers, but class 0 has the weight 'high'"),
    ({}, r"must be a non-empty dict"),
    ([1.0, 2.0], r"must be a non-empty dict mapping class indices to weights"),
])
def test_malformed_class_weight_is_refused(class_weight, message):
    x, y = toy_data()
    with pytest.raises(ValueError, match=rf"Argument `class_weight` {message}"):
        compiled_classifier().fit(x, y, class_weight=class_weight, verbose=0)


# ---------------------------------------------------------------------- steps_per_epoch
class BatchCounter(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


@pytest.mark.parametrize("case", FIXTURE["steps_per_epoch"],
                         ids=lambda c: f"{c['samples']}-samples-steps-{c['steps_per_epoch']}")
def test_steps_per_epoch_beyond_the_arrays_stops_each_epoch_as_keras_does(case):
    x = np.zeros((case["samples"], 4), "float32")
    y = np.zeros(case["samples"], "int64")
    counter = BatchCounter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = compiled_classifier().fit(x, y, batch_size=case["batch_size"], verbose=0,
                                            steps_per_epoch=case["steps_per_epoch"],
                                            epochs=case["epochs"], callbacks=[counter])
    ran_out = [str(w.message) for w in caught if "ran out of data" in str(w.message)]
    assert counter.per_epoch == case["batches_per_epoch"]
    assert history.epoch == case["history_epochs"]
    assert len(ran_out) == case["ran_out_warnings"]
    assert all(message.startswith(data_module.RAN_OUT_OF_DATA) for message in ran_out)


def test_the_ran_out_warning_says_where_the_pass_ended():
    x, y = toy_data(n=20)
    with pytest.warns(UserWarning, match=r"^Your input ran out of data; interrupting training\. "
                                         r"Make sure that your dataset or generator can generate at "
                                         r"least `steps_per_epoch \* epochs` batches\. .*\(20 samples: "
                                         r"2 batches of batch_size=10\) ended after 2 of this epoch's 5"):
        compiled_classifier().fit(x, y, batch_size=10, steps_per_epoch=5, verbose=0)


def test_evaluate_steps_beyond_the_arrays_warn_and_stop():
    x, y = toy_data(n=20)
    model = compiled_classifier()
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        partial = model.evaluate(x, y, batch_size=10, steps=3, verbose=0, return_dict=True)
    assert partial == model.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
