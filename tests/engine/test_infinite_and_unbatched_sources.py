"""Infinite PyDatasets (num_batches None) run with steps; sources of single samples are refused."""
import warnings

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import lamina as keras
from lamina import layers
from lamina.utils.dataset import Dataset

ROWS, BATCH, FEATURES = 50, 10, 4


def arrays(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(ROWS, FEATURES)).astype("float32"),
            rng.normal(size=(ROWS, 1)).astype("float32"))


class Infinite(keras.utils.PyDataset):
    """Batch i is batch i % 5 of the arrays, for ever; records the indices it is asked for."""

    def __init__(self, x, y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.read = x, y, []

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        self.read.append(index)
        rows = slice((index % 5) * BATCH, (index % 5 + 1) * BATCH)
        return self.x[rows], self.y[rows]


def regressor(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((FEATURES,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_fit_runs_steps_per_epoch_and_continues_the_stream_across_epochs():
    x, y = arrays()
    data = Infinite(x, y)
    history = regressor().fit(data, steps_per_epoch=3, epochs=2, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 2
    assert data.read == [0, 1, 2, 3, 4, 5]  # batch 0 built the model and was trained on once


def test_fit_matches_the_same_batches_given_as_a_finite_pydataset():
    x, y = arrays()
    order = [0, 1, 2, 3, 4, 0]

    class Finite(keras.utils.PyDataset):
        def __len__(self):
            return len(order)

        def __getitem__(self, index):
            rows = slice(order[index] * BATCH, (order[index] + 1) * BATCH)
            return x[rows], y[rows]

    endless, finite = regressor(), regressor()
    endless.fit(Infinite(x, y), steps_per_epoch=3, epochs=2, shuffle=False, verbose=0)
    finite.fit(Finite(), epochs=1, shuffle=False, verbose=0)
    for got, expected in zip(endless.get_weights(), finite.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_evaluate_and_predict_read_steps_batches_from_the_start():
    x, y = arrays()
    model = regressor()
    data = Infinite(x, y)
    loss = model.evaluate(data, steps=2, verbose=0)
    reference = float(np.mean((x[:20] @ model.get_weights()[0] + model.get_weights()[1] - y[:20]) ** 2))
    np.testing.assert_allclose(loss, reference, rtol=1e-5)
    predictions = model.predict(Infinite(x, y), steps=2, verbose=0)
    assert predictions.shape == (20, 1)
    np.testing.assert_allclose(predictions, model.predict(x[:20], verbose=0), rtol=1e-6)
    assert data.read == [0, 1]


def test_validation_on_an_infinite_pydataset_reads_validation_steps_each_epoch():
    x, y = arrays()
    validation = Infinite(x, y)
    history = regressor().fit(x, y, batch_size=BATCH, epochs=2, validation_data=validation,
                              validation_steps=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert validation.read == [0, 1, 0, 1]  # each validation starts the stream again, as in Keras


def test_threaded_infinite_pydataset_yields_batches_in_order():
    x, y = arrays()
    model = regressor()
    predictions = model.predict(Infinite(x, y, workers=2), steps=4, verbose=0)
    np.testing.assert_allclose(predictions, model.predict(x[:40], verbose=0), rtol=1e-6)


@pytest.mark.parametrize("call", ["evaluate", "predict"])
def test_evaluation_without_steps_on_an_infinite_pydataset_is_refused(call):
    x, y = arrays()
    with pytest.raises(ValueError, match=r"infinite \(its `num_batches` is None\).*`steps=`"):
        getattr(regressor(), call)(Infinite(x, y), verbose=0)


def test_validation_without_validation_steps_on_an_infinite_pydataset_is_refused():
    x, y = arrays()
    with pytest.raises(ValueError, match="`validation_steps=`"):
        regressor().fit(x, y, epochs=1, validation_data=Infinite(x, y), verbose=0)


def test_fit_without_steps_warns_and_runs_until_a_callback_stops_it():
    x, y = arrays()

    class StopAfterSeven(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.model.stop_training = batch == 6

    data = Infinite(x, y)
    with pytest.warns(UserWarning, match=r"infinite.*`steps_per_epoch=`.*model.stop_training"):
        regressor().fit(data, epochs=3, shuffle=False, callbacks=[StopAfterSeven()], verbose=0)
    assert data.read == list(range(7))


def test_shuffle_on_an_infinite_pydataset_gives_keras_warning_and_keeps_the_order():
    x, y = arrays()
    data = Infinite(x, y)
    with pytest.warns(UserWarning, match=r"`shuffle=True` was passed, but will be ignored since the "
                                         r"data `x` was provided as an infinite PyDataset"):
        regressor().fit(data, steps_per_epoch=4, epochs=1, verbose=0)
    assert data.read == [0, 1, 2, 3]


def test_finite_pydataset_gives_no_infinite_warning():
    x, y = arrays()

    class Finite(keras.utils.PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return x[index * BATCH:(index + 1) * BATCH], y[index * BATCH:(index + 1) * BATCH]

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*infinite.*")
        regressor().fit(Finite(), epochs=1, verbose=0)


# ----------------------------------------------------------------------------- single samples
def single_sample_sources():
    x, y = arrays()
    flat_y = y[:, 0]

    class Samples(keras.utils.PyDataset):
        def __len__(self):
            return ROWS

        def __getitem__(self, index):
            return x[index], flat_y[index]

    return {
        "timeseries": (keras.utils.timeseries_dataset_from_array(
            x, flat_y, sequence_length=1, batch_size=None), r"x \(1, 4\), y \(\)", r"\.batch\(32\)"),
        "slices, scalar labels": (Dataset.from_tensor_slices((x, flat_y)), r"x \(4,\), y \(\)",
                                  "`batch_size=None` yields single samples"),
        "slices, label vectors": (Dataset.from_tensor_slices((x, y)), r"x \(4,\), y \(1,\)",
                                  r"\.batch\(32\)"),
        "generator": (((x[i], flat_y[i]) for i in range(ROWS)), r"x \(4,\), y \(\)", "Yield batches"),
        "PyDataset": (Samples(), r"x \(4,\), y \(\)", r"`__getitem__\(index\)` return a whole batch"),
        "DataLoader": (DataLoader(TensorDataset(torch.tensor(x), torch.tensor(flat_y)), batch_size=None),
                       r"x \(4,\), y \(\)", r"DataLoader\(dataset, batch_size=32\)"),
    }


@pytest.mark.parametrize("name", list(single_sample_sources()))
def test_a_source_of_single_samples_is_refused_with_its_shapes_and_the_fix(name):
    source, shapes, fix = single_sample_sources()[name]
    with pytest.raises(ValueError, match="yields single samples, not batches") as error:
        regressor().fit(source, epochs=1, verbose=0)
    assert error.match(shapes) and error.match(fix)


def test_unbatched_text_dataset_is_refused(tmp_path):
    for label in ("neg", "pos"):
        (tmp_path / label).mkdir()
        for index in range(2):
            (tmp_path / label / f"{index}.txt").write_text(f"{label} review {index}")
    texts = keras.utils.text_dataset_from_directory(tmp_path, batch_size=None, verbose=False)
    model = keras.Sequential([layers.TextVectorization(max_tokens=10, output_sequence_length=3),
                              layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"single samples.*x \(\), y \(\).*\.batch\(32\)"):
        model.fit(texts, epochs=1, verbose=0)


def test_evaluate_and_predict_refuse_single_samples_too():
    x, y = arrays()
    samples = Dataset.from_tensor_slices((x, y[:, 0]))
    model = regressor()
    with pytest.raises(ValueError, match="single samples"):
        model.evaluate(samples, verbose=0)
    with pytest.raises(ValueError, match="single samples"):
        model.predict(Dataset.from_tensor_slices((x, y[:, 0])), verbose=0)


@pytest.mark.parametrize("make, sample_shape", [
    (lambda x, y: Dataset.from_tensor_slices((x, y[:, 0])).batch(8), (FEATURES,)),
    (lambda x, y: Dataset.from_tensor_slices((x, y)).batch(8), (FEATURES,)),
    (lambda x, y: keras.utils.timeseries_dataset_from_array(x, y[:, 0], sequence_length=1,
                                                            batch_size=8), (1, FEATURES)),
], ids=["scalar labels", "label vectors", "timeseries"])
def test_batched_datasets_still_fit(make, sample_shape):
    x, y = arrays()
    model = keras.Sequential([keras.Input(sample_shape), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(make(x, y), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"][-1])
