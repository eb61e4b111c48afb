"""EinsumDense against real Keras 3 (tests/fixtures/layers/einsum_dense_reference.npz and
keras_einsum_dense.keras, from make_einsum_dense_reference.py): shapes, weights, numbers,
config and files."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test

FIXTURES = Path(__file__).parents[2] / "fixtures" / "layers"
REFERENCE = np.load(FIXTURES / "einsum_dense_reference.npz")
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}


def _weights(name):
    count = sum(key.startswith(f"{name}/weight_") for key in REFERENCE.files)
    return [REFERENCE[f"{name}/weight_{i}"] for i in range(count)]


def _json(value):
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("name", sorted(CASES))
def test_numbers_weights_and_shapes_match_keras(name):
    case = CASES[name]
    layer = layers.EinsumDense(**case["config"], name=name)
    x = REFERENCE[f"{name}/x"]
    layer.build_from_shape(x.shape)
    assert [w.path for w in layer.weights] == case["weight_paths"]
    assert [list(w.shape) for w in layer.weights] == case["weight_shapes"]
    layer.set_weights(_weights(name))
    np.testing.assert_allclose(layer(x).detach().numpy(), REFERENCE[f"{name}/y"], rtol=1e-5,
                               atol=1e-5)
    if name != "left_ellipsis":  # see the next test
        # As in Keras, an axis given as None in output_shape stays None (unknown) symbolically.
        assert list(layer.compute_output_shape((None,) + x.shape[1:])) == case["output_shape"]


def test_left_ellipsis_output_shape_keeps_the_axes_in_order():
    # Keras 3.15's compute_output_shape inserts two or more leading elided axes in reverse
    # ((None, 4, 3, 4) for input (None, 3, 4, 5)) while its call returns (.., 3, 4, 4); lamina
    # gives the shape of what the call returns.
    assert CASES["left_ellipsis"]["output_shape"] == [None, 4, 3, 4]
    layer = layers.EinsumDense("...b,bc->...c", output_shape=4)
    assert layer.compute_output_shape((None, 3, 4, 5)) == (None, 3, 4, 4)
    inputs = lamina.Input((3, 4, 5))
    assert lamina.Model(inputs, layer(inputs)).output_shape == (None, 3, 4, 4)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_is_keras_config(name):
    case = CASES[name]
    keras_config = case["keras_config"]
    layer = layers.EinsumDense.from_config(keras_config)
    assert _json(layer.get_config()) == keras_config


@pytest.mark.parametrize("name", ["heads", "left_ellipsis", "right_ellipsis", "no_bias"])
def test_layer_harness(name):
    case = CASES[name]
    x = REFERENCE[f"{name}/x"]
    run_layer_test(layers.EinsumDense, case["config"], input_data=x,
                   expected_output_shape=REFERENCE[f"{name}/y"].shape,
                   expected_num_trainable_weights=len(case["weight_shapes"]),
                   expected_num_non_trainable_weights=0)


def test_kernel_fans_are_the_contracted_and_output_axes():
    # (64, 8, 16) kernel of 'abc,cde->abde': fan_in 64, fan_out 128 (not a conv kernel's).
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 8, 16))
    layer.build_from_shape((None, 3, 64))
    limit = np.sqrt(6 / (64 + 8 * 16))
    kernel = layer.kernel.detach().numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    assert layer.kernel_initializer.get_config()["input_axes"] is None  # config stays Keras'


def test_keras_file_loads_and_predicts_as_keras_did(tmp_path):
    model = lamina.models.load_model(FIXTURES / "keras_einsum_dense.keras")
    x, expected = REFERENCE["model/x"], REFERENCE["model/y"]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)


def test_trains_in_a_model():
    inputs = lamina.Input((4, 5))
    outputs = layers.EinsumDense("abc,cd->abd", (None, 1), bias_axes="d")(inputs)
    model = lamina.Model(inputs, outputs)
    model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="mse")
    x = np.random.default_rng(0).standard_normal((16, 4, 5)).astype("float32")
    y = x.sum(-1, keepdims=True)
    losses = model.fit(x, y, epochs=20, verbose=0).history["loss"]
    assert losses[-1] < 0.05 * losses[0]


@pytest.mark.parametrize("equation, output_shape, bias_axes, input_shape, message", [
    ("ab,bc", 4, None, (2, 3), "Invalid einsum equation 'ab,bc'"),
    ("ab,bc->ad", 4, None, (2, 3), "Dimension 'd' was specified in the output"),
    ("ab,bcx->ac", 4, None, (2, 3), "Weight dimension 'x' did not have a match"),
    ("abc,cd->abd", (5, 4), None, (2, 3, 6), "do not match at shared dimension 'b'"),
    ("ab,bc->ac", 4, "x", (2, 3), "Bias dimension 'x' was requested"),
    ("abc,cde->abde", (None, 2, 3), "be", (2, 4, 5), r"cannot build a bias of shape \(None, 1, 3\)"),
])
def test_keras_errors(equation, output_shape, bias_axes, input_shape, message):
    with pytest.raises(ValueError, match=message):
        layer = layers.EinsumDense(equation, output_shape, bias_axes=bias_axes)
        layer(torch.zeros(input_shape))
