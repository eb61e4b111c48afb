"""Layers kept in lists, tuples and dicts are tracked as Keras tracks them (utils/tracking.py)."""
import copy

import numpy as np
import torch

import lamina as keras
from lamina import layers
from lamina.utils.tracking import TrackedDict, TrackedList


class ResidualUnit(layers.Layer):
    """Géron's ResNet-34 unit, as the book writes it: an activation function among the
    layers of a list, and a skip list that may stay empty."""

    def __init__(self, filters, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.get("relu")
        self.main_layers = [layers.Conv2D(filters, 3, strides=strides, padding="same"),
                            layers.BatchNormalization(), self.activation,
                            layers.Conv2D(filters, 3, padding="same"),
                            layers.BatchNormalization()]
        self.skip_layers = []
        if strides > 1:
            self.skip_layers.append(layers.Conv2D(filters, 1, strides=strides))
            self.skip_layers.append(layers.BatchNormalization())

    def call(self, inputs):
        z = inputs
        for layer in self.main_layers:
            z = layer(z)
        skip = inputs
        for layer in self.skip_layers:
            skip = layer(skip)
        return self.activation(z + skip)


class Containers(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.main = [layers.Dense(4), keras.activations.relu]
        self.blocks = []
        self.blocks.append(layers.Dense(3))
        self.pair = (layers.Dense(3), None)
        self.heads = {"a": layers.Dense(2)}

    def call(self, x):
        for layer in self.main:
            x = layer(x)
        return self.heads.get("a")(self.pair[0](self.blocks[0](x)))


def test_layers_among_functions_and_appended_later_are_tracked_trained_and_counted():
    model = keras.Sequential([keras.Input((8, 8, 3)), ResidualUnit(4, strides=2),
                              layers.GlobalAveragePooling2D(), layers.Dense(1)])
    unit = model.layers[0]
    # 2 convs (3x3) and 2 BNs in the main path, a 1x1 conv and a BN in the skip path.
    assert unit.count_params() == (3 * 9 * 4 + 4) + 16 + (4 * 9 * 4 + 4) + 16 + (3 * 4 + 4) + 16
    assert len(unit.trainable_weights) == 12 and len(unit.non_trainable_weights) == 6
    model.compile("sgd", "mse")
    before = unit.skip_layers[0].kernel.numpy()
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(8, 8, 8, 3)), rng.normal(size=(8, 1)), verbose=0)
    assert np.abs(before - unit.skip_layers[0].kernel.numpy()).max() > 1e-4


def test_tracked_containers_stay_lists_and_dicts():
    layer = Containers()
    assert isinstance(layer.main, TrackedList) and isinstance(layer.main, list)
    assert isinstance(layer.heads, TrackedDict) and isinstance(layer.heads, dict)
    assert layer.main.index(layer.main[1]) == 1 and layer.heads.get("b") is None
    assert isinstance(layer.pair, tuple)
    layer(np.ones((2, 3), "float32"))
    assert len(layer.weights) == 8
    layer.blocks.pop()
    assert len(layer.weights) == 6  # a layer taken out of its list is no longer tracked
    layer.blocks = None
    assert "blocks" not in layer._modules


def test_saved_paths_are_keras_attribute_paths_and_the_file_reloads(tmp_path, saved_weight_groups):
    # The paths Keras 3.15 writes for this model (read from a file Keras saved).
    model = keras.Sequential([keras.Input((3,)), Containers(), layers.Dense(1)])
    path = tmp_path / "containers.keras"
    model.save(path)
    groups = saved_weight_groups(path)
    assert groups == ["layers/containers/blocks/dense/vars",
                      "layers/containers/heads/dense/vars", "layers/containers/main/dense/vars",
                      "layers/containers/pair/dense/vars", "layers/dense/vars"]
    loaded = keras.models.load_model(path, custom_objects={"Containers": Containers})
    x = np.linspace(0, 1, 6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_deep_copy_tracks_its_own_layers():
    layer = Containers()
    layer(np.ones((2, 3), "float32"))
    twin = copy.deepcopy(layer)
    assert twin.blocks[0] is not layer.blocks[0]
    twin.blocks.append(layers.Dense(1))
    assert len(twin._modules["blocks"]) == 2 and len(layer._modules["blocks"]) == 1
    assert all(a is not b for a, b in zip(twin.parameters(), layer.parameters()))
    assert isinstance(next(twin.parameters()), torch.nn.Parameter)


def test_deleting_a_tracked_container_untracks_its_layers():
    layer = Containers()
    del layer.blocks
    assert "blocks" not in layer._modules and not hasattr(layer, "blocks")
