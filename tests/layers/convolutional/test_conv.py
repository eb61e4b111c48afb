"""Conv1D / Conv2D / Conv3D: the layer harness, Keras' parameter counts, layout and errors.

Keras' numbers for these layers are pinned in test_conv_keras_parity.py.
"""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape, num_weights", [
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "padding": "causal"}, (2, 9, 3), (2, 9, 4), 2),
    (layers.Conv1D, {"filters": 2, "kernel_size": 2, "strides": 3}, (2, 9, 3), (2, 3, 2), 2),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 7, 8, 3), (2, 4, 4, 4), 2),
    (layers.Conv2D, {"filters": 2, "kernel_size": (3, 2), "data_format": "channels_first",
                     "use_bias": False}, (2, 3, 6, 5), (2, 2, 4, 4), 1),
    (layers.Conv2D, {"filters": 4, "kernel_size": 3, "dilation_rate": 2, "activation": "relu"},
     (2, 7, 7, 2), (2, 3, 3, 4), 2),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2, "groups": 2}, (2, 3, 4, 5, 4),
     (2, 2, 3, 4, 2), 2),
], ids=["conv1d_causal", "conv1d_strided", "conv2d_same", "conv2d_first", "conv2d_dilated",
        "conv3d_groups"])
def test_layer_harness(cls, kwargs, input_shape, output_shape, num_weights):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=num_weights,
                   expected_num_non_trainable_weights=0, supports_masking=False)


def test_conv2d_32_filters_on_mnist_images_has_320_parameters():
    model = lamina.Sequential([lamina.Input((28, 28, 1)), layers.Conv2D(32, 3)])
    assert model.count_params() == 320
    assert [tuple(w.shape) for w in model.layers[0].weights] == [(3, 3, 1, 32), (32,)]


def test_conv_output_is_a_channels_last_view_not_a_copy():
    """Torch computes on the NHWC memory as channels_last, so the NHWC result is contiguous."""
    inputs = torch.randn(2, 9, 8, 3)
    for padding, strides in (("valid", 1), ("same", 2), ("same", 1)):
        outputs = layers.Conv2D(4, (2, 3), padding=padding, strides=strides)(inputs)
        assert outputs.is_contiguous(), (padding, strides)
        assert outputs.movedim(-1, 1).is_contiguous(memory_format=torch.channels_last)


def test_unknown_spatial_dims_stay_unknown_and_any_size_runs():
    layer = layers.Conv2D(4, 3, strides=2, padding="same")
    symbolic = layer(lamina.Input((None, None, 3)))
    assert tuple(symbolic.shape) == (None, None, None, 4)
    assert layer(np.zeros((1, 9, 5, 3), "float32")).shape == (1, 5, 3, 4)
    assert layer(np.zeros((1, 4, 4, 3), "float32")).shape == (1, 2, 2, 4)


def test_causal_conv1d_output_at_step_t_sees_only_steps_up_to_t():
    layer = layers.Conv1D(1, 3, padding="causal", kernel_initializer="ones", use_bias=False)
    steps = torch.arange(1.0, 6.0).reshape(1, 5, 1)
    assert layer(steps).flatten().tolist() == [1.0, 3.0, 6.0, 9.0, 12.0]


def test_padding_is_case_insensitive():
    layer = layers.Conv2D(4, 3, padding="Same")
    assert layer.get_config()["padding"] == "same"
    assert layer(np.zeros((1, 5, 5, 2), "float32")).shape == (1, 5, 5, 4)


def test_kernel_regularizer_adds_keras_l2_penalty():
    layer = layers.Conv2D(2, 3, kernel_regularizer="l2")
    layer(np.zeros((1, 4, 4, 1), "float32"))
    expected = 0.01 * np.sum(layer.get_weights()[0].astype("float64") ** 2)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0].detach()), expected, rtol=1e-5)


def test_conv2d_on_images_without_channel_axis_says_how_to_add_one():
    message = ('Input 0 of layer "conv2d" is incompatible with the layer: expected ndim=4, '
               'found ndim=3. Full shape received: (None, 28, 28). For single-channel data, add '
               'a channel axis: `x[..., None]` or `Reshape((28, 28, 1))`.')
    with pytest.raises(ValueError) as error:
        layers.Conv2D(32, 3)(lamina.Input((28, 28)))
    assert str(error.value) == message


@pytest.mark.parametrize("build, hint", [
    (lambda: layers.Conv2D(32, 3)(np.zeros((4, 28, 28), "float32")),
     "Full shape received: (4, 28, 28). For single-channel data, add a channel axis: "
     "`x[..., None]` or `Reshape((28, 28, 1))`."),
    (lambda: layers.Conv2D(32, 3, data_format="channels_first")(lamina.Input((28, 28))),
     "add a channel axis: `x[:, None]` or `Reshape((1, 28, 28))`."),
    (lambda: layers.Conv1D(8, 3)(lamina.Input((100,))),
     "expected ndim=3, found ndim=2. Full shape received: (None, 100). For single-channel data, "
     "add a channel axis: `x[..., None]` or `Reshape((100, 1))`."),
], ids=["eager", "channels_first", "conv1d"])
def test_missing_channel_axis_hints(build, hint):
    with pytest.raises(ValueError) as error:
        build()
    assert str(error.value).endswith(hint)


def test_kernel_larger_than_input_names_layer_shapes_and_fixes():
    message = ("Layer 'conv2d' (Conv2D) cannot apply kernel_size=(5, 5) with padding='valid' to "
               "inputs of shape (None, 3, 3, 1): spatial axis 0 has 3 cells, fewer than the "
               "window's 5, so the output would have a zero or negative dimension. Use "
               "padding='same', a smaller kernel_size, or larger inputs (fewer pooling or strided "
               "layers before this one).")
    with pytest.raises(ValueError) as error:
        layers.Conv2D(8, 5)(lamina.Input((3, 3, 1)))
    assert str(error.value) == message
    with pytest.raises(ValueError, match=r"spatial axis 1 has 4 cells, fewer than the window's "
                                         r"5 \(3 taps with dilation_rate=2\)"):
        layers.Conv2D(8, 3, dilation_rate=2).build((None, 9, 4, 1))


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": 0, "kernel_size": 3},
     "Invalid value for argument `filters`. Expected a strictly positive integer. Received "
     "filters=0."),
    ({"filters": 6, "kernel_size": 3, "groups": 4},
     "The number of filters must be evenly divisible by the number of groups. Received: "
     "groups=4, filters=6."),
    ({"filters": 6, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
     "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
     "strides=(2, 2) and dilation_rate=(2, 2)"),
    ({"filters": 6, "kernel_size": (3, 3, 3)},
     "The `kernel_size` argument must be a tuple of 2 integers. Received kernel_size=(3, 3, 3)"),
    ({"filters": 6, "kernel_size": (3, 0)},
     "The `kernel_size` argument must be a tuple of 2 integers. Received kernel_size=(3, 0), "
     "including values [0] that do not satisfy `value > 0`"),
    ({"filters": 6, "kernel_size": 3, "padding": "sme"},
     "The `padding` argument must be one of 'valid', 'same' (case-insensitive). Received: "
     "padding='sme'. Did you mean 'same'?"),
    ({"filters": 6, "kernel_size": 3, "padding": "causal"},
     "The `padding` argument must be one of 'valid', 'same' (case-insensitive). Received: "
     "padding='causal'. Causal padding exists only for 1-D convolutions (Conv1D)."),
    ({"filters": 6, "kernel_size": 3, "data_format": "NHWC"},
     "The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: "
     "data_format='NHWC'. 'channels_last' means inputs (batch, ..., channels), e.g. NHWC "
     "images; 'channels_first' means (batch, channels, ...), e.g. NCHW."),
], ids=["filters", "groups", "strides_dilation", "kernel_rank", "kernel_zero", "padding_typo",
        "causal_2d", "data_format"])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as error:
        layers.Conv2D(**kwargs)
    assert str(error.value) == message


def test_input_channels_are_checked_after_build():
    layer = layers.Conv2D(4, 3)
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError) as error:
        layer(np.zeros((1, 5, 5, 4), "float32"))
    assert "expected axis -1 of input shape to have value 3, but received input with shape " \
           "(1, 5, 5, 4)" in str(error.value)


def test_groups_must_divide_input_channels():
    with pytest.raises(ValueError) as error:
        layers.Conv2D(6, 3, groups=2)(lamina.Input((8, 8, 3)))
    assert str(error.value) == (
        "The number of input channels must be evenly divisible by the number of groups. "
        "Received groups=2, but the input has 3 channels (full input shape is (None, 8, 8, 3)).")


def test_unknown_channel_count_cannot_build():
    with pytest.raises(ValueError) as error:
        layers.Conv2D(6, 3)(lamina.Input((8, 8, None)))
    assert str(error.value) == (
        "Layer 'conv2d' (Conv2D) needs a known number of input channels (axis -1) to build, but "
        "received input shape (None, 8, 8, None).")
