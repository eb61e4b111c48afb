"""DTypePolicy: names, dtypes, Keras' errors and serialized form; a layer's policy and dtypes."""
import json

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import dtype_policies
from lamina.dtype_policies import DTypePolicy


@pytest.mark.parametrize("name, compute, variable", [
    ("float32", "float32", "float32"), ("float64", "float64", "float64"),
    ("float16", "float16", "float16"), ("bfloat16", "bfloat16", "bfloat16"),
    ("mixed_float16", "float16", "float32"), ("mixed_bfloat16", "bfloat16", "float32"),
    ("int32", "int32", "int32"),
])
def test_a_policy_name_sets_compute_and_variable_dtypes(name, compute, variable):
    policy = DTypePolicy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (name, compute, variable)
    assert policy.quantization_mode is None
    assert repr(policy) == f'<DTypePolicy "{name}">'


def test_bad_policy_names_raise_keras_errors():
    with pytest.raises(ValueError, match=r"^Cannot convert 'mixed_float32' to a mixed precision "
                       r"DTypePolicy\. Valid policies include 'mixed_float16', 'mixed_bfloat16', "
                       r"and the name of any float dtype such as 'float32'\.$"):
        DTypePolicy("mixed_float32")
    with pytest.raises(TypeError, match=r"^'name' must be a string, such as 'mixed_float16'\. "
                       r"Received: name=3 \(of type <class 'int'>\)$"):
        DTypePolicy(3)
    with pytest.raises(ValueError, match=r"Invalid `policy` argument.*Received: policy=3"):
        keras.mixed_precision.set_global_policy(3)
    with pytest.raises(ValueError, match=r"^Cannot interpret `dtype` argument\. Expected a "
                       r"string or an instance of DTypePolicy\. Received: dtype=\[1\]$"):
        keras.layers.Dense(2, dtype=[1])


def test_policies_compare_by_name():
    assert DTypePolicy("mixed_float16") == DTypePolicy("mixed_float16")
    assert DTypePolicy("mixed_float16") != DTypePolicy("float16")
    assert dtype_policies.FloatDTypePolicy("float32") == DTypePolicy("float32")
    assert len({DTypePolicy("float32"), DTypePolicy("float32")}) == 1


def test_the_global_policy_is_set_read_and_cleared_by_clear_session():
    assert keras.mixed_precision.global_policy() == DTypePolicy("float32")
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert keras.config.dtype_policy() is keras.mixed_precision.dtype_policy()
    assert DTypePolicy().name == "mixed_bfloat16"  # no name: the global one's
    keras.config.set_dtype_policy(DTypePolicy("float64"))
    assert keras.mixed_precision.global_policy().name == "float64"
    keras.backend.clear_session()  # as in Keras, the policy goes back to floatx
    assert keras.mixed_precision.global_policy().name == "float32"


def test_the_public_names_are_keras_names():
    assert keras.DTypePolicy is keras.dtype_policies.DTypePolicy is keras.mixed_precision.Policy
    assert keras.mixed_precision.DTypePolicy is DTypePolicy
    assert keras.mixed_precision.LossScaleOptimizer is keras.optimizers.LossScaleOptimizer
    assert keras.FloatDTypePolicy is dtype_policies.FloatDTypePolicy


def test_get_serialize_deserialize():
    assert dtype_policies.get(None) is keras.mixed_precision.global_policy()
    assert dtype_policies.get("float64") == DTypePolicy("float64")
    assert dtype_policies.get(np.float64).name == "float64"
    assert dtype_policies.get(torch.bfloat16).name == "bfloat16"
    policy = DTypePolicy("mixed_float16")
    assert dtype_policies.get(policy) is policy
    serialized = dtype_policies.serialize(policy)
    assert serialized == {"module": "keras", "class_name": "DTypePolicy",
                          "config": {"name": "mixed_float16"}, "registered_name": None}
    assert dtype_policies.get(json.loads(json.dumps(serialized))) == policy
    # TF-2 configs name the class 'Policy'.
    assert dtype_policies.deserialize({"class_name": "Policy",
                                       "config": {"name": "mixed_bfloat16"}}).compute_dtype == \
        "bfloat16"
    with pytest.raises(ValueError, match="Cannot deserialize a dtype policy of class 'Quant'"):
        dtype_policies.deserialize({"class_name": "Quant", "config": {}})


def test_convert_input_casts_floats_only():
    policy = DTypePolicy("mixed_bfloat16")
    assert policy.convert_input(torch.ones(2), True, "bfloat16").dtype == torch.bfloat16
    assert policy.convert_input(torch.ones(2), False, "bfloat16").dtype == torch.float32
    assert policy.convert_input(torch.ones(2, dtype=torch.int64), True, "bfloat16").dtype == \
        torch.int64
    assert policy.convert_input(np.ones(2), True, "bfloat16").dtype == torch.bfloat16
    assert policy.convert_input("text", True, "bfloat16") == "text"


@pytest.mark.parametrize("dtype, name", [
    (None, "float32"), ("float64", "float64"), ("mixed_float16", "mixed_float16"),
    (DTypePolicy("mixed_bfloat16"), "mixed_bfloat16"), (torch.float64, "float64"),
    ({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"},
      "registered_name": None}, "mixed_float16"),
])
def test_a_layer_takes_its_policy_from_dtype(dtype, name):
    layer = keras.layers.Dense(2, dtype=dtype)
    policy = DTypePolicy(name)
    assert layer.dtype_policy == policy
    assert layer.compute_dtype == policy.compute_dtype
    assert layer.variable_dtype == layer.dtype == policy.variable_dtype
    assert layer.input_dtype == policy.compute_dtype


def test_a_layer_uses_the_global_policy_when_created_and_keeps_it():
    keras.mixed_precision.set_global_policy("mixed_float16")
    mixed = keras.layers.Dense(2)
    keras.mixed_precision.set_global_policy("float32")
    assert mixed.dtype_policy.name == "mixed_float16"
    assert keras.layers.Dense(2).dtype_policy.name == "float32"


def test_the_dtype_policy_can_be_set_on_a_layer():
    layer = keras.layers.Dense(2)
    layer.dtype_policy = "mixed_bfloat16"
    assert (layer.compute_dtype, layer.variable_dtype) == ("bfloat16", "float32")
    assert layer(torch.ones(1, 3)).dtype == torch.bfloat16
    assert layer.kernel.dtype == torch.float32


@pytest.mark.parametrize("name", ["float32", "float64", "mixed_float16", "mixed_bfloat16"])
def test_layer_config_carries_the_policy_in_keras_form_and_round_trips(name):
    layer = keras.layers.Dense(3, dtype=name)
    config = json.loads(json.dumps(layer.get_config()))
    assert config["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                               "config": {"name": name}, "registered_name": None}
    rebuilt = keras.layers.Dense.from_config(config)
    assert rebuilt.dtype_policy == DTypePolicy(name)
    assert rebuilt.get_config() == layer.get_config() | {"name": rebuilt.name}
