"""The registry and Keras' config format: names, scopes, plain values and safe mode."""
import json

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving import (
    deserialize_keras_object,
    object_registration,
    serialization_lib,
    serialize_keras_object,
)


def test_register_keras_serializable_names_and_finds_objects():
    @lamina.saving.register_keras_serializable(package="tests_registry", name="Triple")
    class TripleLayer(layers.Layer):
        def call(self, inputs):
            return 3 * inputs

    assert lamina.saving.get_registered_name(TripleLayer) == "tests_registry>Triple"
    assert lamina.saving.get_registered_object("tests_registry>Triple") is TripleLayer
    assert lamina.saving.get_custom_objects()["tests_registry>Triple"] is TripleLayer
    config = json.loads(json.dumps(serialize_keras_object(TripleLayer(name="t"))))
    assert config["registered_name"] == "tests_registry>Triple"
    assert config["module"] == TripleLayer.__module__
    assert type(deserialize_keras_object(config)) is TripleLayer


def test_register_refuses_a_class_without_get_config():
    with pytest.raises(ValueError, match="has no get_config\\(\\) method"):
        lamina.saving.register_keras_serializable()(type("Plain", (), {}))


def test_registered_function_is_saved_by_its_registered_name():
    @lamina.saving.register_keras_serializable(package="tests_registry")
    def halve(x):
        return x / 2

    config = serialize_keras_object(halve)
    assert config == {"module": halve.__module__, "class_name": "function",
                      "config": "tests_registry>halve", "registered_name": "tests_registry>halve"}
    assert deserialize_keras_object(config) is halve


def test_custom_object_scope_nests_and_restores():
    first, second = object(), object()
    with lamina.saving.custom_object_scope({"a": first}):
        with lamina.saving.CustomObjectScope({"b": second}):
            assert lamina.saving.get_registered_object("a") is first
            assert lamina.saving.get_registered_object("b") is second
        assert lamina.saving.get_registered_object("b") is None
    assert lamina.saving.get_registered_object("a") is None
    with pytest.raises(TypeError, match="Argument `custom_objects` must be a dict"):
        lamina.saving.custom_object_scope(["a"])


def test_registry_imports_nothing_from_lamina():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(object_registration))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names]
    assert not [name for name in imported if name and name.startswith("lamina")]


@pytest.mark.parametrize("value", [None, 3, 2.5, "relu", True, [1, "a"], {"k": [1, 2]}])
def test_plain_values_pass_through(value):
    assert deserialize_keras_object(serialize_keras_object(value)) == value


def test_special_values_round_trip_through_json():
    values = {"array": np.arange(6, dtype="float32").reshape(2, 3),
              "tensor": torch.tensor([1, 2], dtype=torch.int64), "bytes": b"abc",
              "slice": slice(1, None, 2), "ellipsis": Ellipsis}
    restored = deserialize_keras_object(json.loads(json.dumps(serialize_keras_object(values))))
    np.testing.assert_array_equal(restored["array"], values["array"])
    assert restored["array"].dtype == np.float32
    assert torch.equal(restored["tensor"], values["tensor"])
    assert restored["bytes"] == b"abc" and restored["slice"] == slice(1, None, 2)
    assert restored["ellipsis"] is Ellipsis


def test_lamina_objects_get_keras_module_names():
    cases = {layers.Dense(2): "keras.layers", lamina.optimizers.Adam(): "keras.optimizers",
             lamina.losses.Huber(): "keras.losses", lamina.metrics.AUC(): "keras.metrics",
             lamina.initializers.HeNormal(): "keras.initializers",
             lamina.regularizers.L2(0.1): "keras.regularizers",
             lamina.constraints.MaxNorm(2): "keras.constraints",
             lamina.optimizers.schedules.CosineDecay(0.1, 5): "keras.optimizers.schedules",
             lamina.Sequential([layers.Dense(1)]): "keras"}
    for obj, module in cases.items():
        config = serialize_keras_object(obj)
        assert (config["module"], config["registered_name"]) == (module, None), type(obj)
    assert serialize_keras_object(lamina.activations.relu) == {
        "module": "builtins", "class_name": "function", "config": "relu",
        "registered_name": "function"}


def test_lambda_needs_unsafe_mode_everywhere():
    with pytest.warns(UserWarning, match="includes a `lambda`: reloading it needs"):
        config = json.loads(json.dumps(serialize_keras_object({"fn": lambda x: x + 1})))
    with pytest.raises(ValueError, match="Python lambda.*safe_mode=False"):
        deserialize_keras_object(config)
    assert deserialize_keras_object(config, safe_mode=False)["fn"](1) == 2
    with serialization_lib.SafeModeScope(True), pytest.raises(ValueError, match="Python lambda"):
        deserialize_keras_object(config, safe_mode=False)  # the scope decides, as in Keras


def test_bytecode_that_does_not_load_says_why():
    with pytest.raises(ValueError, match="Could not load the bytecode of a Python lambda"):
        serialization_lib.func_load("bm90IGJ5dGVjb2Rl\n")
    with pytest.raises(ValueError, match="holds no bytecode"):
        serialization_lib.func_load(None)


def test_a_scripts_own_objects_are_written_with_no_module():
    # Keras writes module None for classes and functions defined in `__main__` (a script or a
    # notebook), and such objects come back through custom_objects or the registry.
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    def square(x):
        return x * x

    Scale.__module__ = square.__module__ = "__main__"
    config = serialize_keras_object(Scale(3.0, name="s"))
    assert (config["module"], config["registered_name"]) == (None, "Scale")
    assert serialize_keras_object(square)["module"] is None
    revived = deserialize_keras_object(json.loads(json.dumps(config)),
                                       custom_objects={"Scale": Scale})
    assert isinstance(revived, Scale) and revived.factor == 3.0
    assert serialize_keras_object(layers.Dense(1))["module"] == "keras.layers"
