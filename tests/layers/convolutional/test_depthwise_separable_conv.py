"""DepthwiseConv1D/2D and SeparableConv1D/2D: harness, Keras' weight layout and counts, errors.

Keras' numbers are pinned in test_conv_keras_parity.py.
"""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape, num_weights", [
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, (2, 8, 3), (2, 6, 6), 2),
    (layers.DepthwiseConv2D, {"kernel_size": 3, "strides": 2, "padding": "same"}, (2, 7, 8, 3),
     (2, 4, 4, 3), 2),
    (layers.DepthwiseConv2D, {"kernel_size": 2, "data_format": "channels_first",
                              "use_bias": False}, (2, 3, 5, 4), (2, 3, 4, 3), 1),
    (layers.SeparableConv1D, {"filters": 4, "kernel_size": 3, "padding": "same"}, (2, 8, 3),
     (2, 8, 4), 3),
    (layers.SeparableConv2D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2,
                              "strides": 2}, (2, 7, 8, 3), (2, 3, 3, 4), 3),
], ids=["depthwise1d", "depthwise2d_same", "depthwise2d_first", "separable1d", "separable2d"])
def test_layer_harness(cls, kwargs, input_shape, output_shape, num_weights):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=num_weights,
                   expected_num_non_trainable_weights=0, supports_masking=False)


def test_depthwise_weights_and_count_follow_keras():
    layer = layers.DepthwiseConv2D(3, depth_multiplier=2)
    layer.build((None, 8, 8, 4))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 3, 4, 2), (8,)]
    assert layer.count_params() == 3 * 3 * 4 * 2 + 8


def test_depthwise_output_channel_c_times_multiplier_plus_m_filters_input_channel_c():
    layer = layers.DepthwiseConv1D(1, depth_multiplier=2, use_bias=False)
    layer.build((None, 1, 2))
    layer.set_weights([np.array([[[1.0, 10.0], [100.0, 1000.0]]], "float32")])
    outputs = layer(torch.tensor([[[1.0, 2.0]]]))
    assert outputs.flatten().tolist() == [1.0, 10.0, 200.0, 2000.0]


def test_separable_weights_and_count_follow_keras():
    layer = layers.SeparableConv2D(16, 3)
    layer.build((None, 10, 10, 8))
    assert [w.path.split("/")[-1] for w in layer.weights] == [
        "depthwise_kernel", "pointwise_kernel", "bias"]
    assert [tuple(w.shape) for w in layer.weights] == [(3, 3, 8, 1), (1, 1, 8, 16), (16,)]
    assert layer.count_params() == 3 * 3 * 8 + 8 * 16 + 16


@pytest.mark.parametrize("build, message", [
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0),
     "Invalid value for argument `depth_multiplier`. Expected a strictly positive integer. "
     "Received depth_multiplier=0."),
    (lambda: layers.SeparableConv2D(0, 3),
     "Invalid value for argument `filters`. Expected a strictly positive integer. Received "
     "filters=0."),
    (lambda: layers.DepthwiseConv2D(5)(lamina.Input((4, 6, 3))),
     "Layer 'depthwise_conv2d' (DepthwiseConv2D) cannot apply kernel_size=(5, 5) with "
     "padding='valid' to inputs of shape (None, 4, 6, 3): spatial axis 0 has 4 cells, fewer "
     "than the window's 5, so the output would have a zero or negative dimension. Use "
     "padding='same', a smaller kernel_size, or larger inputs (fewer pooling or strided layers "
     "before this one)."),
    (lambda: layers.SeparableConv2D(8, 3)(lamina.Input((28, 28))),
     'Input 0 of layer "separable_conv2d" is incompatible with the layer: expected ndim=4, '
     'found ndim=3. Full shape received: (None, 28, 28). For single-channel data, add a '
     'channel axis: `x[..., None]` or `Reshape((28, 28, 1))`.'),
], ids=["depth_multiplier", "filters", "kernel_too_large", "missing_channel_axis"])
def test_bad_input(build, message):
    with pytest.raises(ValueError) as error:
        build()
    assert str(error.value) == message
