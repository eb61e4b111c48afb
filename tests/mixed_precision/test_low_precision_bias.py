"""Under mixed precision, Dense and convolutions round their matmul before adding the bias,
as Keras does, so they give Keras' numbers to the last bit (reference:
tests/fixtures/dtype_policies/make_low_precision_bias.py)."""
import pathlib

import numpy as np
import pytest

import lamina as keras
from lamina import ops

REFERENCE = np.load(pathlib.Path(__file__).parents[1] / "fixtures" / "dtype_policies"
                    / "low_precision_bias.npz")
LAYERS = {
    "dense_bf16": lambda: keras.layers.Dense(4, dtype="mixed_bfloat16"),
    "conv_bf16": lambda: keras.layers.Conv2D(4, 3, dtype="mixed_bfloat16"),
    "conv_first_bf16": lambda: keras.layers.Conv2D(4, 3, dtype="mixed_bfloat16",
                                                   data_format="channels_first"),
    "dense_fp16": lambda: keras.layers.Dense(4, dtype="mixed_float16"),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_mixed_precision_outputs_equal_keras_bit_for_bit(name):
    layer = LAYERS[name]()
    x = REFERENCE[f"{name}/x"]
    layer.build(x.shape)
    layer.set_weights([REFERENCE[f"{name}/kernel"], REFERENCE[f"{name}/bias"]])
    got = ops.convert_to_numpy(ops.cast(layer(x), "float32"))
    np.testing.assert_array_equal(got, REFERENCE[f"{name}/y"])
