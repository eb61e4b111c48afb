"""TorchModuleWrapper: a torch.nn.Module as a layer, with Keras 3's weights, config and files.

Keras runs this layer only on its torch backend, which the reference environment lacks; the
behaviour pinned here is Keras' source's: parameters tracked as weights (trainable as their
requires_grad), the whole state_dict saved by key, the module pickled (base64) in the config
and refused by `from_config` unless unsafe deserialization is asked for.
"""
import base64
import io

import h5py
import numpy as np
import pytest
import torch
from torch import nn

import lamina
from lamina.layers import TorchModuleWrapper
from lamina.saving.serialization_lib import SafeModeScope
from lamina.testing import run_layer_test


def test_parameters_are_the_layer_weights():
    module = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    module[1].bias.requires_grad_(False)
    layer = TorchModuleWrapper(module)
    parameters = list(module.parameters())
    assert layer.weights == [parameters[0], parameters[1], parameters[2], parameters[3]]
    assert layer.trainable_weights == parameters[:3]
    assert layer.non_trainable_weights == [parameters[3]]
    assert layer.built and layer.count_params() == 4 * 3 + 3 + 3 + 3
    assert layer.name.startswith("torch_module_wrapper")


def test_output_shapes_for_the_functional_api():
    inputs = lamina.Input((1, 8, 8))
    conv = TorchModuleWrapper(nn.Conv2d(1, 4, kernel_size=3))
    assert conv(inputs).shape == (None, 4, 6, 6)
    given = TorchModuleWrapper(nn.Flatten(), output_shape=(None, 64))
    assert given.compute_output_shape((None, 1, 8, 8)) == (None, 64)
    assert given.get_config()["output_shape"] == (None, 64)


def test_fit_trains_the_module_in_a_functional_model():
    torch.manual_seed(0)
    inputs = lamina.Input((3,))
    hidden = TorchModuleWrapper(nn.Sequential(nn.Linear(3, 8), nn.Tanh()))(inputs)
    model = lamina.Model(inputs, lamina.layers.Dense(1)(hidden))
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss="mse")
    x = np.random.default_rng(0).standard_normal((64, 3)).astype("float32")
    y = np.sin(x.sum(axis=1, keepdims=True))
    losses = model.fit(x, y, epochs=30, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.2 * losses[0]
    assert len(model.trainable_weights) == 4


def test_subclassed_model_from_keras_docstring():
    class Classifier(lamina.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.conv = TorchModuleWrapper(nn.Conv2d(1, 4, kernel_size=3))
            self.pool = nn.MaxPool2d(2)
            self.flatten = nn.Flatten()
            self.fc = TorchModuleWrapper(nn.Linear(4 * 3 * 3, 10))

        def call(self, inputs):
            x = self.pool(torch.relu(self.conv(inputs)))
            return torch.softmax(self.fc(self.flatten(x)), dim=1)

    model = Classifier()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    x = np.random.default_rng(1).random((16, 1, 8, 8)).astype("float32")
    assert model(x[:2]).shape == (2, 10)
    before = model.get_weights()
    model.fit(x, np.arange(16) % 10, epochs=1, verbose=0)
    assert model.count_params() == 4 * 9 + 4 + 36 * 10 + 10
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_training_flag_sets_the_module_mode():
    dropout = TorchModuleWrapper(nn.Dropout(0.5))
    x = torch.ones(4, 100)
    assert torch.equal(dropout(x), x)  # inference unless training is asked for
    assert not torch.equal(dropout(x, training=True), x)
    dropout(x, training=False)
    assert not dropout.module.training


def test_trainable_false_freezes_the_parameters():
    layer = TorchModuleWrapper(nn.Linear(2, 2), trainable=False)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not layer.module.weight.requires_grad
    layer.trainable = True
    assert len(layer.trainable_weights) == 2 and layer.module.weight.requires_grad


def test_config_holds_the_pickled_module_and_from_config_is_unsafe():
    layer = TorchModuleWrapper(nn.Linear(3, 2), name="wrapped")
    config = layer.get_config()
    assert set(config) == {"name", "trainable", "dtype", "module", "output_shape"}
    module = torch.load(io.BytesIO(base64.b64decode(config["module"])), weights_only=False)
    assert isinstance(module, nn.Linear) and torch.equal(module.weight, layer.module.weight)
    with pytest.raises(ValueError, match=r"deserialization of a `torch.nn.Module` object via "
                                         r"`torch.load\(\)`.*safe_mode=False"):
        TorchModuleWrapper.from_config(config)
    clone = TorchModuleWrapper.from_config(config, safe_mode=False)
    assert clone.name == "wrapped" and torch.equal(clone.module.weight, layer.module.weight)
    with SafeModeScope(False):
        assert TorchModuleWrapper.from_config(config).get_config() == config


def test_keras_file_round_trip_with_the_state_dict(tmp_path):
    inputs = lamina.Input((4,))
    hidden = TorchModuleWrapper(nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3)))(inputs)
    model = lamina.Model(inputs, lamina.layers.Dense(2)(hidden))
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    model.fit(rng.random((32, 4), "float32"), rng.random((32, 2), "float32"), verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    with pytest.raises(ValueError, match="disallowed by default"):
        lamina.models.load_model(path)
    loaded = lamina.models.load_model(path, safe_mode=False)
    x = rng.random((5, 4), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    state = model.layers[1].module.state_dict()
    np.testing.assert_array_equal(loaded.layers[1].module[1].running_var.numpy(),
                                  state["1.running_var"].numpy())
    model.save_weights(tmp_path / "model.weights.h5")
    with h5py.File(tmp_path / "model.weights.h5") as file:
        assert sorted(file["layers/torch_module_wrapper/vars"]) == sorted(state)


def test_layer_harness():
    with SafeModeScope(False):
        run_layer_test(TorchModuleWrapper, {"module": nn.Linear(5, 3)}, input_shape=(4, 5),
                       expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                       expected_num_non_trainable_weights=0)


def test_errors():
    with pytest.raises(TypeError, match="`module` must be a `torch.nn.Module`"):
        TorchModuleWrapper(lambda x: x)
    with pytest.raises(ValueError, match="LazyModules are not supported unless they are already "
                                         "initialized"):
        TorchModuleWrapper(nn.LazyLinear(3))
    lazy = nn.LazyLinear(3)
    lazy(torch.ones(1, 4))
    assert [tuple(w.shape) for w in TorchModuleWrapper(lazy).weights] == [(3, 4), (3,)]
