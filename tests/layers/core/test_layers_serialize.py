"""`keras.layers.serialize` / `keras.layers.deserialize` against real Keras 3.15
(tests/fixtures/layers/layers_serialize_reference.json, from
make_layers_serialize_reference.py): the same dicts as Keras writes, rebuilt into layers.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers

REFERENCE = json.loads((Path(__file__).parents[2] / "fixtures" / "layers" /
                        "layers_serialize_reference.json").read_text())
CASES = {case["name"]: case["serialized"] for case in REFERENCE["cases"]}
SHAPES = {"dense_built": (2, 4), "adaptive": (1, 6, 6, 2)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_deserialize_then_serialize_gives_keras_dict(name):
    layer = layers.deserialize(CASES[name])
    assert isinstance(layer, layers.Layer)
    if name in SHAPES:
        layer(torch.zeros(SHAPES[name]))
    assert json.loads(json.dumps(layers.serialize(layer))) == CASES[name]


def test_deserialized_layer_computes():
    layer = layers.deserialize(CASES["dense_built"])
    layer.set_weights([np.ones((4, 2), "float32")])
    assert layer(torch.ones(1, 4)).tolist() == [[4.0, 4.0]]
    assert layer.built  # the build_config built it


def test_custom_objects_reach_deserialization():
    class Doubling(layers.Layer):
        def call(self, inputs):
            return 2 * inputs

    config = layers.serialize(Doubling(name="twice"))
    restored = layers.deserialize(config, custom_objects={"Doubling": Doubling})
    assert isinstance(restored, Doubling) and restored.name == "twice"


def test_a_config_that_is_not_a_layer_is_refused_as_keras_does():
    config = lamina.saving.serialize_keras_object(lamina.optimizers.SGD())
    prefix = REFERENCE["not_a_layer"].split(" Received: ")[0]
    with pytest.raises(ValueError, match=f"^{prefix.replace('.', '[.]')} Received: "):
        layers.deserialize(config)


def test_names_resolve_under_keras():
    assert lamina.layers.serialize is layers.serialize
    assert {"serialize", "deserialize"} <= set(layers.__all__)
