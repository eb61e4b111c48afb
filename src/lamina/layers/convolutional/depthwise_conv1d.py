"""DepthwiseConv1D: a depthwise 1-D convolution (one filter bank per input channel)."""
from __future__ import annotations

from lamina.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv

__all__ = ["DepthwiseConv1D"]


class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1-D convolution, kernel shape (k, in_channels, depth_multiplier).

    Output channel `c * depth_multiplier + m` is input channel `c` filtered by its m-th filter.

    Args:
        kernel_size: int or tuple of 1 ints.
        strides: int or tuple of 1 ints (default 1).
        padding: 'valid' or 'same' (case-insensitive).
        depth_multiplier: output channels per input channel (default 1).
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple of 1 ints.
        activation, use_bias: as for `Conv2D`.
        depthwise_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        depthwise_regularizer, bias_regularizer, activity_regularizer: penalties.
        depthwise_constraint, bias_constraint: projections applied after each update.

    Example:
        >>> layer = DepthwiseConv1D(3, depth_multiplier=2)
        >>> layer(np.zeros((2, 10, 4), "float32")).shape
        torch.Size([2, 8, 8])
        >>> layer.kernel.shape
        (3, 4, 2)
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, depth_multiplier=depth_multiplier, kernel_size=kernel_size,
                         strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
