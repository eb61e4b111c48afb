"""Weight paths follow Keras 3.15's name scopes: `outer/inner/kernel` for a weight created
while `outer` builds or calls `inner`. Every expected list below was printed by Keras 3.15
(JAX backend) for the same construction."""
import numpy as np

import lamina as keras
from lamina import layers


class Block(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(3)
        self.second = layers.Dense(2)

    def call(self, x):
        return self.second(self.first(x))


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = layers.Dense(1)

    def call(self, x):
        return self.head(self.block(x))


def test_sublayers_built_in_a_call_are_under_their_callers_path():
    net = Net()
    net(np.ones((2, 4), "float32"))
    assert [w.path for w in net.weights] == [
        "net/block/dense/kernel", "net/block/dense/bias", "net/block/dense_1/kernel",
        "net/block/dense_1/bias", "net/dense_2/kernel", "net/dense_2/bias"]


def test_a_functional_models_layers_are_at_top_level():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, Block()(inputs))
    assert [w.path for w in model.weights] == [
        "block/dense/kernel", "block/dense/bias", "block/dense_1/kernel", "block/dense_1/bias"]


def test_a_sequentials_layers_are_under_its_name():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)])
    assert [w.path for w in model.weights] == [
        "sequential/dense/kernel", "sequential/dense/bias", "sequential/dense_1/kernel",
        "sequential/dense_1/bias"]
    lazy = keras.Sequential([layers.Dense(2)])
    lazy(np.ones((2, 3), "float32"))
    assert [w.path for w in lazy.weights] == ["sequential_1/dense_2/kernel",
                                              "sequential_1/dense_2/bias"]


def test_wrappers_and_rnn_cells_nest_their_paths():
    lstm = layers.LSTM(2)
    lstm.build((None, 3, 4))
    assert [w.path for w in lstm.weights] == [
        "lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias"]
    wrapped = layers.TimeDistributed(layers.Dense(2))
    wrapped.build((None, 3, 4))
    assert [w.path for w in wrapped.weights] == ["time_distributed/dense/kernel",
                                                 "time_distributed/dense/bias"]


def test_a_layers_path_stays_where_it_was_first_built():
    dense = layers.Dense(2)
    dense.build((None, 3))
    inputs = keras.Input((3,))
    keras.Sequential([inputs, dense])
    keras.Model(inputs, dense(inputs))
    assert [w.path for w in dense.weights] == ["dense/kernel", "dense/bias"]
