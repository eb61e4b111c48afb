"""MaxPooling / AveragePooling 1D-3D: harness, Keras' 'same' semantics, layout and errors.

Keras' numbers are pinned in test_pooling_keras_parity.py.
"""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.MaxPooling1D, {}, (2, 7, 3), (2, 3, 3)),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 7, 3),
     (2, 7, 3)),
    (layers.MaxPooling2D, {"padding": "same"}, (2, 7, 5, 3), (2, 4, 3, 3)),
    (layers.AveragePooling2D, {"pool_size": (3, 2), "data_format": "channels_first"},
     (2, 3, 7, 5), (2, 3, 2, 2)),
    (layers.MaxPooling3D, {"pool_size": 2, "strides": 1}, (2, 3, 4, 5, 2), (2, 2, 3, 4, 2)),
    (layers.AveragePooling3D, {"pool_size": 2, "padding": "same"}, (2, 3, 4, 5, 2),
     (2, 2, 2, 3, 2)),
], ids=["max1d", "avg1d_same", "max2d_same", "avg2d_first", "max3d", "avg3d_same"])
def test_layer_harness(cls, kwargs, input_shape, output_shape):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=False)


def test_strides_default_to_pool_size_in_config():
    config = layers.MaxPooling2D((3, 2)).get_config()
    assert (config["pool_size"], config["strides"], config["padding"]) == ((3, 2), (3, 2), "valid")
    assert layers.AveragePooling2D(2, strides=1).get_config()["strides"] == (1, 1)


def test_same_average_divides_by_the_real_cells_only():
    # Windows [1, 3] and [5, pad]: Keras averages 5 alone, not (5 + 0) / 2.
    layer = layers.AveragePooling1D(2, padding="same")
    assert layer(torch.tensor([[[1.0], [3.0], [5.0]]])).flatten().tolist() == [2.0, 5.0]
    # Symmetric padding (window 3, stride 1): edges average two cells, the middle three.
    layer = layers.AveragePooling1D(3, strides=1, padding="same")
    assert layer(torch.tensor([[[3.0], [6.0], [9.0]]])).flatten().tolist() == [4.5, 6.0, 7.5]


@pytest.mark.parametrize("pool_size, strides, expected", [
    (2, None, [-1.0, -5.0]),
    (3, 1, [-1.0, -1.0, -3.0]),
], ids=["asymmetric_padding", "symmetric_padding"])
def test_same_max_never_picks_the_padding(pool_size, strides, expected):
    layer = layers.MaxPooling1D(pool_size, strides=strides, padding="same")
    assert layer(torch.tensor([[[-1.0], [-3.0], [-5.0]]])).flatten().tolist() == expected


def test_pooling_output_is_a_channels_last_view_not_a_copy():
    for padding in ("valid", "same"):
        outputs = layers.MaxPooling2D(padding=padding)(torch.randn(2, 8, 8, 3))
        assert outputs.is_contiguous(), padding


def test_padding_is_case_insensitive():
    layer = layers.MaxPooling2D(padding="SAME")
    assert layer.get_config()["padding"] == "same"
    assert layer(np.zeros((1, 5, 5, 2), "float32")).shape == (1, 3, 3, 2)


def test_unknown_spatial_dims_stay_unknown():
    assert layers.MaxPooling2D()(lamina.Input((None, 8, 3))).shape == (None, None, 4, 3)


def test_pool_larger_than_input_names_layer_shapes_and_fixes():
    with pytest.raises(ValueError) as error:
        layers.MaxPooling2D(4)(lamina.Input((3, 3, 8)))
    assert str(error.value) == (
        "Layer 'max_pooling2d' (MaxPooling2D) cannot apply pool_size=(4, 4) with padding='valid' "
        "to inputs of shape (None, 3, 3, 8): spatial axis 0 has 3 cells, fewer than the "
        "window's 4, so the output would have a zero or negative dimension. Use padding='same', "
        "a smaller pool_size, or larger inputs (fewer pooling or strided layers before this "
        "one).")


def test_too_many_poolings_in_a_model_fail_when_the_model_is_built():
    with pytest.raises(ValueError, match=r"Layer 'max_pooling2d_2' \(MaxPooling2D\) cannot apply "
                                         r"pool_size=\(2, 2\) .* inputs of shape \(None, 1, 1, 4\)"):
        lamina.Sequential([lamina.Input((6, 6, 4)), layers.MaxPooling2D(), layers.MaxPooling2D(),
                           layers.MaxPooling2D()])


def test_pooling_images_without_channel_axis_says_how_to_add_one():
    with pytest.raises(ValueError) as error:
        layers.MaxPooling2D()(lamina.Input((28, 28)))
    assert str(error.value) == (
        'Input 0 of layer "max_pooling2d" is incompatible with the layer: expected ndim=4, found '
        'ndim=3. Full shape received: (None, 28, 28). For single-channel data, add a channel '
        'axis: `x[..., None]` or `Reshape((28, 28, 1))`.')


@pytest.mark.parametrize("kwargs, message", [
    ({"pool_size": 0}, "The `pool_size` argument must be a tuple of 2 integers. Received "
                       "pool_size=0, including values [0, 0] that do not satisfy `value > 0`"),
    ({"padding": "full"}, "The `padding` argument must be one of 'valid', 'same' "
                          "(case-insensitive). Received: padding='full'."),
    ({"strides": (2, 2, 2)}, "The `strides` argument must be a tuple of 2 integers. Received "
                             "strides=(2, 2, 2)"),
], ids=["pool_size", "padding", "strides"])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as error:
        layers.MaxPooling2D(**kwargs)
    assert str(error.value) == message
