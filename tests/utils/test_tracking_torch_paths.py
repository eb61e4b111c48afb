"""Tracked lists and dicts are the modules torch finds at their paths (utils/tracking.py).

torch.export, `get_submodule` and `torch.func.functional_call` look submodules up by getattr
along each `named_modules()` path; a layer's `self.blocks = [...]` must be that module.
"""
import copy
import pickle

import numpy as np
import torch

import lamina as keras
from lamina import layers
from lamina.utils.tracking import TrackedDict, TrackedList


class Blocks(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.blocks = [layers.Dense(4), keras.activations.relu, layers.Dense(3)]
        self.heads = {"a": layers.Dense(2), "b": layers.Dense(2)}

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return self.heads["a"](x) + self.heads.get("b")(x)


class Nested(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.groups = [[layers.Dense(3), layers.Dense(3)], layers.Dense(3)]
        self.heads = {"a": layers.Dense(2), "x": [layers.Dense(2)]}

    def call(self, x):
        for group in self.groups[0]:
            x = group(x)
        x = self.groups[1](x)
        return self.heads["a"](x) + self.heads["x"][0](x)


def _built(layer):
    layer(np.ones((2, 3), "float32"))
    return layer


def test_every_module_path_resolves_by_getattr_to_the_registered_module():
    layer = _built(Blocks())
    assert layer._modules["blocks"] is layer.blocks and isinstance(layer.blocks, TrackedList)
    assert layer._modules["heads"] is layer.heads and isinstance(layer.heads, TrackedDict)
    for path, module in layer.named_modules():
        assert layer.get_submodule(path) is module
    assert list(layer.state_dict()) == [  # as before: the list's places, the dict's keys
        "blocks.0.kernel", "blocks.0.bias", "blocks.2.kernel", "blocks.2.bias",
        "heads.a.kernel", "heads.a.bias", "heads.b.kernel", "heads.b.bias"]


def test_dict_keys_naming_attributes_get_a_free_module_name():
    layer = layers.Layer()
    layer.heads = {"items": layers.Dense(2), "keys": layers.Dense(2), "training": layers.Dense(2)}
    assert list(layer.heads._modules) == ["items_", "keys_", "training_"]
    assert layer.get_submodule("heads.items_") is layer.heads["items"]
    assert list(layer.heads) == ["items", "keys", "training"]


def test_functional_call_swaps_weights_inside_lists():
    layer = _built(Blocks())
    x = torch.ones(2, 3)
    zeros = {name: torch.zeros_like(w) for name, w in layer.named_parameters()}
    assert torch.count_nonzero(torch.func.functional_call(layer, zeros, (x,))) == 0
    assert torch.count_nonzero(layer(x)) > 0


def test_changes_to_the_list_follow_in_torch_and_in_keras():
    layer = _built(Blocks())
    layer.blocks.append(layers.Dense(3))
    assert list(layer.blocks._modules) == ["0", "2", "3"]
    layer.blocks.pop(0)
    assert list(layer.blocks._modules) == ["1", "2"] and layer.get_submodule("blocks.2")
    layer.blocks.clear()
    assert "blocks" not in layer._modules and layer.blocks == []


def test_pickled_and_copied_layers_keep_one_object_per_path():
    layer = _built(Blocks())
    for twin in (pickle.loads(pickle.dumps(layer)), copy.deepcopy(layer)):
        assert twin._modules["blocks"] is twin.blocks and twin.blocks[0] is not layer.blocks[0]
        assert list(twin.blocks._modules) == ["0", "2"]
        assert twin.get_submodule("blocks.2") is twin.blocks[2]
        x = torch.ones(2, 3)
        torch.testing.assert_close(twin(x), layer(x))


def test_a_compiled_forward_iterates_the_list_in_one_graph():
    layer = Blocks()
    layer.blocks = [torch.nn.Linear(3, 4), torch.relu, torch.nn.Linear(4, 3)]
    layer.heads = {"a": torch.nn.Linear(3, 2)}

    def forward(x):
        for block in layer.blocks:
            x = block(x)
        for _, head in layer.heads.items():
            x = head(x)
        return x * len(layer.blocks) + layer.blocks[0].bias.sum()

    x = torch.randn(5, 3)
    compiled = torch.compile(forward, fullgraph=True, backend="eager")
    torch.testing.assert_close(compiled(x), forward(x))


def test_nested_containers_save_under_keras_paths(tmp_path, saved_weight_groups):
    # The groups Keras 3.15 writes for this model (KERAS_BACKEND=torch).
    model = keras.Sequential([keras.Input((3,)), Nested()])
    path = tmp_path / "nested.keras"
    model.save(path)
    groups = saved_weight_groups(path)
    assert groups == ["layers/nested/groups/container/dense/vars",
                      "layers/nested/groups/container/dense_1/vars",
                      "layers/nested/groups/dense/vars",
                      "layers/nested/heads/container/dense/vars",
                      "layers/nested/heads/dense/vars"]
    loaded = keras.models.load_model(path, custom_objects={"Nested": Nested})
    x = np.linspace(0, 1, 6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
