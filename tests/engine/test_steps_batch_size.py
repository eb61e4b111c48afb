"""With arrays, `steps` and no `batch_size`, Keras cuts the data into `steps` batches of
ceil(samples / steps) (keras/src/trainers/data_adapters/array_data_adapter.py); 32 otherwise."""
import numpy as np
import pytest

import lamina as keras
from lamina import layers


class _BatchSizes(keras.Model):
    """Records the rows of every batch its train and test steps see."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)
        self.train_rows, self.test_rows = [], []

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        self.train_rows.append(int(data[0].shape[0]))
        return {"loss": 0.0}

    def test_step(self, data):
        self.test_rows.append(int(data[0].shape[0]))
        return {"loss": 0.0}


def _model():
    model = _BatchSizes()
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_steps_per_epoch_without_batch_size_covers_the_arrays_in_that_many_batches():
    model = _model()
    model.fit(np.ones((200, 3)), np.ones((200, 1)), steps_per_epoch=4, verbose=0)
    assert model.train_rows == [50, 50, 50, 50]


def test_validation_steps_without_batch_size_cover_the_validation_arrays():
    model = _model()
    model.fit(np.ones((64, 3)), np.ones((64, 1)), validation_data=(np.ones((50, 3)), np.ones((50, 1))),
              validation_steps=1, verbose=0)
    assert model.train_rows == [32, 32] and model.test_rows == [50]


def test_a_given_batch_size_is_kept_for_validation_as_in_keras():
    model = _model()
    model.fit(np.ones((40, 3)), np.ones((40, 1)), batch_size=20, steps_per_epoch=2,
              validation_data=(np.ones((30, 3)), np.ones((30, 1))), verbose=0)
    assert model.train_rows == [20, 20] and model.test_rows == [20, 10]


@pytest.mark.parametrize("method", ["evaluate", "predict"])
def test_evaluate_and_predict_steps_split_the_arrays_evenly(method):
    model = _model()
    model(np.ones((1, 3)))
    if method == "evaluate":
        model.evaluate(np.ones((50, 3)), np.ones((50, 1)), steps=2, verbose=0)
        assert model.test_rows == [25, 25]
    else:
        assert model.predict(np.ones((50, 3)), steps=2, verbose=0).shape == (50, 1)
