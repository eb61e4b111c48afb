"""ZeroPadding1D/2D/3D: NumPy pad reference, unknown dims, argument errors."""
import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.ZeroPadding1D, {"padding": (2, 1)}, (2, 3, 4), (2, 6, 4)),
    (layers.ZeroPadding2D, {}, (2, 3, 4, 2), (2, 5, 6, 2)),
    (layers.ZeroPadding2D, {"padding": (1, 2), "data_format": "channels_first"}, (2, 2, 3, 3),
     (2, 2, 5, 7)),
    (layers.ZeroPadding3D, {"padding": 1}, (1, 2, 2, 2, 3), (1, 4, 4, 4, 3)),
])
def test_run_layer_test(cls, kwargs, input_shape, output_shape):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=0, supports_masking=False)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zero_padding3d_matches_numpy_pad(data_format):
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 4, 3)).astype("float32")
    padding = ((1, 0), (0, 2), (3, 1))
    out = layers.ZeroPadding3D(padding, data_format=data_format)(x).numpy()
    spatial = list(padding)
    if data_format == "channels_last":
        widths = [(0, 0)] + spatial + [(0, 0)]
    else:
        widths = [(0, 0), (0, 0)] + spatial
    np.testing.assert_array_equal(out, np.pad(x, widths))


def test_unknown_dims_stay_unknown():
    out = layers.ZeroPadding1D(2)(lamina.Input((None, 3)))
    assert tuple(out.shape) == (None, None, 3)


@pytest.mark.parametrize("padding, message", [
    (-2, "`padding` cannot be negative"),
    ((1, 2, 3), "`padding` should have 2 elements"),
    ((1.5, 1), r"The `1st entry of padding` argument must be a tuple of 2 integers"),
])
def test_bad_padding_arguments(padding, message):
    with pytest.raises(ValueError, match=message):
        layers.ZeroPadding2D(padding)


def test_bad_data_format():
    with pytest.raises(ValueError, match=r"Received: data_format='NHWC'"):
        layers.ZeroPadding2D(1, data_format="NHWC")
