"""keras.backend.result_type / is_float_dtype / is_int_dtype / get_uid and
keras.utils.standardize_dtype against Keras 3.15 (tests/fixtures/backend/dtype_reference.json,
made by make_dtype_reference.py)."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina as keras

FIXTURE = Path(__file__).parent / "fixtures" / "backend" / "dtype_reference.json"
REFERENCE = json.loads(FIXTURE.read_text())
PYTHON = {"py:int": int, "py:float": float, "py:bool": bool}


def _value(name):
    return PYTHON.get(name, name)


@pytest.mark.parametrize("case", REFERENCE["result_type"],
                         ids=["-".join(map(str, c["dtypes"])) or "none" for c in
                              REFERENCE["result_type"]])
def test_result_type_matches_keras(case):
    dtypes = [_value(d) for d in case["dtypes"]]
    expected = case["result"]
    if isinstance(expected, dict):
        assert expected == {"error": "ValueError"}
        with pytest.raises(ValueError):
            keras.backend.result_type(*dtypes)
    else:
        assert keras.backend.result_type(*dtypes) == expected


@pytest.mark.parametrize("name", sorted(REFERENCE["kinds"]))
def test_dtype_kinds_and_names_match_keras(name):
    expected = REFERENCE["kinds"][name]
    assert keras.backend.is_float_dtype(_value(name)) is expected["float"]
    assert keras.backend.is_int_dtype(_value(name)) is expected["int"]
    assert keras.utils.standardize_dtype(_value(name)) == expected["standardized"]


@pytest.mark.parametrize("dtype, name", [(torch.float16, "float16"), (np.int8, "int8"),
                                         (np.dtype("uint16"), "uint16"), (None, "float32"),
                                         (torch.bool, "bool")])
def test_standardize_dtype_reads_torch_and_numpy_dtypes(dtype, name):
    assert keras.utils.standardize_dtype(dtype) == name
    assert keras.backend.result_type(dtype) == {"float16": "float16"}.get(name, name)


def test_standardize_dtype_refuses_unknown_names():
    assert REFERENCE["invalid_standardize"] == {"error": "ValueError"}
    with pytest.raises(ValueError, match="Invalid dtype: float33"):
        keras.utils.standardize_dtype("float33")


def test_result_type_follows_floatx_for_weak_types():
    keras.backend.set_floatx("float16")
    try:
        assert keras.backend.result_type(int, float) == "float16"
        assert keras.backend.result_type() == "float16"
    finally:
        keras.backend.set_floatx("float32")


def test_get_uid_counts_per_prefix_and_shares_automatic_names():
    keras.backend.clear_session()
    assert [keras.backend.get_uid("dense") for _ in range(2)] == [1, 2]
    assert keras.backend.get_uid() == 1
    assert keras.layers.Dense(1).name == "dense_2"
    keras.utils.clear_session()
    assert keras.backend.get_uid("dense") == 1


def test_utils_reexports_backend_functions():
    assert keras.utils.clear_session is keras.backend.clear_session
    assert keras.utils.is_keras_tensor is keras.backend.is_keras_tensor
    assert keras.utils.is_keras_tensor(keras.Input((2,)))
