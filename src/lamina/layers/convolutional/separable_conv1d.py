"""SeparableConv1D: a depthwise 1-D convolution followed by a pointwise (1x1) one."""
from __future__ import annotations

from lamina.layers.convolutional.base_separable_conv import BaseSeparableConv

__all__ = ["SeparableConv1D"]


class SeparableConv1D(BaseSeparableConv):
    """Depthwise-separable 1-D convolution: fewer weights than a full convolution.

    Weights: depthwise_kernel (k, in, depth_multiplier), pointwise_kernel
    (1, in * depth_multiplier, filters), bias (filters,).

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 ints, the depthwise window.
        strides: int or tuple of 1 ints (default 1), of the depthwise step.
        padding: 'valid' or 'same' (case-insensitive).
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple of 1 ints.
        depth_multiplier: depthwise output channels per input channel (default 1).
        activation, use_bias: as for `Conv2D`.
        depthwise_initializer, pointwise_initializer, bias_initializer: initializers
            (glorot_uniform, glorot_uniform, zeros).
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        depthwise_constraint, pointwise_constraint, bias_constraint: projections.

    Example:
        >>> layer = SeparableConv1D(8, 3)
        >>> layer(np.zeros((2, 10, 4), "float32")).shape
        torch.Size([2, 8, 8])
        >>> [tuple(w.shape) for w in layer.weights]
        [(3, 4, 1), (1, 4, 8), (8,)]
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, depth_multiplier=depth_multiplier, filters=filters,
                         kernel_size=kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
