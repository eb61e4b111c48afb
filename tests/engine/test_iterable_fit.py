"""fit / evaluate / predict on generators, torch DataLoaders and keras.utils.PyDataset."""
import threading

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import lamina as keras
from lamina import layers

N, BATCH, FEATURES, CLASSES = 64, 16, 4, 3


def toy_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5).astype("int64")
    return x, y


def compiled_classifier():
    model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=(FEATURES,)),
                              layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def generator(x, y, passes=1):
    for _ in range(passes):
        for start in range(0, len(x), BATCH):
            yield x[start:start + BATCH], y[start:start + BATCH]


def data_loader(x, y):
    return DataLoader(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=BATCH)


class ArraySequence(keras.utils.PyDataset):
    def __init__(self, x, y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x, y
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / BATCH))

    def __getitem__(self, index):
        window = slice(index * BATCH, (index + 1) * BATCH)
        return self.x[window], self.y[window]

    def on_epoch_end(self):
        self.epochs_ended += 1


SOURCES = {
    "generator": lambda x, y: generator(x, y, passes=5),
    "DataLoader": data_loader,
    "PyDataset": ArraySequence,
    "Sequence (threads)": lambda x, y: ArraySequence(x, y, workers=2),
}


@pytest.mark.parametrize("kind", list(SOURCES))
def test_each_source_trains_to_a_lower_loss(kind):
    x, y = toy_data()
    model = compiled_classifier()
    steps = 4 if kind == "generator" else None
    history = model.fit(SOURCES[kind](x, y), epochs=5, steps_per_epoch=steps, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 5 and losses[-1] < 0.8 * losses[0]
    assert history.params == {"verbose": 0, "epochs": 5, "steps": 4}


@pytest.mark.parametrize("kind", ["generator", "DataLoader", "PyDataset"])
def test_evaluate_and_predict_match_the_array_path(kind):
    x, y = toy_data(seed=1)
    model = compiled_classifier()
    model.fit(x, y, epochs=2, batch_size=BATCH, shuffle=False, verbose=0)
    expected = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    make = generator if kind == "generator" else SOURCES[kind]  # one pass each
    received = model.evaluate(make(x, y), verbose=0, return_dict=True)
    assert received.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(received[name], expected[name], rtol=1e-6, atol=1e-7)
    predictions = model.predict(make(x, y), verbose=0)
    assert predictions.dtype == np.float32 and predictions.shape == (N, CLASSES)
    np.testing.assert_allclose(predictions, model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


def test_fit_on_a_generator_without_shuffle_equals_fit_on_arrays():
    x, y = toy_data(seed=2)
    keras.utils.set_random_seed(7)
    reference = compiled_classifier()
    reference.fit(x, y, batch_size=BATCH, shuffle=False, epochs=1, verbose=0)
    keras.utils.set_random_seed(7)
    model = compiled_classifier()
    model.fit(generator(x, y), epochs=1, verbose=0)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_predict_accepts_bare_input_batches():
    x, _ = toy_data()
    model = compiled_classifier()
    predictions = model.predict((x[i:i + BATCH] for i in range(0, N, BATCH)), verbose=0)
    np.testing.assert_allclose(predictions, model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


def test_a_spent_generator_replays_its_first_two_batches_as_keras_does():
    x, y = toy_data()
    model = compiled_classifier()
    counts = StepCounter()
    with pytest.warns(UserWarning, match="Your input ran out of data; interrupting training"):
        history = model.fit(generator(x, y), epochs=3, verbose=0, callbacks=[counts])
    # Keras peeks at two batches and chains them before the spent generator each epoch.
    assert history.epoch == [0, 1, 2] and counts.steps[1:] == [2, 2]
    assert history.params["steps"] is None


def test_steps_per_epoch_resumes_a_generator_across_epochs():
    x, y = toy_data()
    seen = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    counts = StepCounter()
    model = compiled_classifier()
    with pytest.warns(UserWarning, match="after 2 of steps_per_epoch=3 batches"):
        history = model.fit(generator(x, y, passes=2), epochs=4, steps_per_epoch=3, verbose=0,
                            callbacks=[callback, counts])
    # 8 batches in all: 3 + 3 + 2 (cut short), then Keras' replay of the first two.
    assert counts.steps == [3, 3, 2, 2] and history.epoch == [0, 1, 2, 3] == seen


class StepCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = []

    def on_epoch_begin(self, epoch, logs=None):
        self.steps.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.steps[-1] += 1


def test_steps_per_epoch_over_a_dataloader_follows_keras():
    x, y = toy_data()  # 4 batches per pass
    counts = StepCounter()
    with pytest.warns(UserWarning, match="The next epoch starts a new pass"):
        compiled_classifier().fit(data_loader(x, y), epochs=3, steps_per_epoch=3, verbose=0,
                                  callbacks=[counts])
    assert counts.steps == [3, 1, 3]


def test_pydataset_on_epoch_end_runs_once_per_epoch():
    x, y = toy_data()
    train, validation = ArraySequence(x, y), ArraySequence(x, y)
    compiled_classifier().fit(train, validation_data=validation, epochs=3, verbose=0)
    assert train.epochs_ended == 3 and validation.epochs_ended == 3


def test_validation_with_a_dataloader_and_early_stopping():
    x, y = toy_data()
    model = compiled_classifier()
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=0, min_delta=10.0)
    history = model.fit(data_loader(x, y), validation_data=data_loader(x, y), epochs=5, verbose=0,
                        callbacks=[stopper])
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1] and stopper.stopped_epoch == 1
    expected = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    assert model.evaluate(data_loader(x, y), verbose=0, return_dict=True) == pytest.approx(expected)


def test_arrays_with_a_pydataset_as_validation_data():
    x, y = toy_data()
    history = compiled_classifier().fit(x, y, validation_data=ArraySequence(x, y), epochs=2,
                                        verbose=0)
    assert len(history.history["val_loss"]) == 2


def test_custom_train_step_receives_keras_data():
    x, y = toy_data()
    received = []

    class Recording(keras.Sequential):
        def train_step(self, data):
            received.append(data)
            return super().train_step(data)

    model = Recording([layers.Dense(CLASSES, activation="softmax", input_shape=(FEATURES,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    weights = np.full(BATCH, 2.0)
    model.fit(((x[:BATCH], y[:BATCH], weights) for _ in range(2)), verbose=0)
    assert len(received) == 2 and isinstance(received[0], tuple) and len(received[0]) == 3
    assert all(isinstance(t, torch.Tensor) for t in received[0])
    assert received[0][2].dtype == torch.float32


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"y": np.zeros(N)}, ValueError, "`y` should not be passed"),
    ({"sample_weight": np.ones(N)}, ValueError, "`sample_weight` should not be passed"),
    ({"class_weight": {0: 1.0}}, ValueError, "`class_weight` is not supported for generator"),
    ({"validation_split": 0.2}, ValueError, "`validation_split` is only supported for tensors"),
])
def test_arguments_keras_forbids_with_a_generator(kwargs, error, fragment):
    x, y = toy_data()
    with pytest.raises(error, match=fragment):
        compiled_classifier().fit(generator(x, y), verbose=0, **kwargs)


def test_batch_size_is_ignored_with_a_warning():
    x, y = toy_data()
    with pytest.warns(UserWarning, match="`batch_size=8` is ignored"):
        history = compiled_classifier().fit(data_loader(x, y), batch_size=8, verbose=0)
    assert history.params["steps"] == 4


def test_a_dataset_like_object_is_keras_value_error_not_a_hang():
    class Samples:
        def __len__(self):
            return 100

        def __getitem__(self, index):
            return np.ones(FEATURES), 1

    outcome = {}

    def call():
        try:
            compiled_classifier().fit(Samples(), verbose=0)
        except ValueError as error:
            outcome["error"] = error

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(5.0)
    assert not thread.is_alive(), "fit() hung on a Dataset-like object"
    assert "keras.utils.PyDataset" in str(outcome["error"])


def test_a_torch_dataset_is_batched_by_batch_size():
    x, y = toy_data()
    keras.utils.set_random_seed(3)
    from_dataset = compiled_classifier()
    history = from_dataset.fit(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=16,
                               shuffle=False, epochs=2, verbose=0)
    keras.utils.set_random_seed(3)
    from_arrays = compiled_classifier()
    expected = from_arrays.fit(x, y, batch_size=16, shuffle=False, epochs=2, verbose=0)
    assert history.params["steps"] == 4
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-6)
    for got, want in zip(from_dataset.get_weights(), from_arrays.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-6)
    loss = from_dataset.evaluate(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=10,
                                 verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(from_dataset.evaluate(x, y, verbose=0, return_dict=True)["loss"],
                                 rel=1e-6)


def test_a_torch_dataset_cannot_be_split_and_takes_no_y():
    x, y = toy_data()
    dataset = TensorDataset(torch.tensor(x), torch.tensor(y))
    with pytest.raises(ValueError, match=r"Argument `validation_split` is only supported for "
                                         r"tensors or NumPy arrays.*TensorDataset"):
        compiled_classifier().fit(dataset, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="When providing `x` as a torch Dataset, `y` should not"):
        compiled_classifier().fit(dataset, y, verbose=0)


def test_progress_bar_counts_unknown_steps(capsys):
    x, y = toy_data()
    compiled_classifier().fit(generator(x, y), epochs=1, verbose=2)
    assert capsys.readouterr().out.startswith("4/4 - ")


def test_a_validation_generator_validates_every_epoch_as_in_keras():
    x, y = toy_data()
    history = compiled_classifier().fit(x, y, validation_data=generator(x, y), epochs=2,
                                        verbose=0)
    assert len(history.history["val_loss"]) == 2 and len(history.history["loss"]) == 2


def test_a_py_dataset_is_read_once_per_batch_in_a_pass():
    # Keras 3.15 reads each batch once in evaluate and predict; the batch read to build the
    # model is reused, not read again.
    class Counting(keras.utils.PyDataset):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = []

        def __len__(self):
            return 4

        def __getitem__(self, index):
            self.seen.append(index)
            return np.full((2, 3), index, "float32"), np.ones((2, 1), "float32")

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    for run in (lambda d: model.evaluate(d, verbose=0), lambda d: model.predict(d, verbose=0),
                lambda d: model.fit(d, epochs=2, shuffle=False, verbose=0)):
        data = Counting()
        run(data)
        assert data.seen in ([0, 1, 2, 3], [0, 1, 2, 3] * 2)
