"""Conv3D: a 3-D convolution over volumes (batch, depth, height, width, channels)."""
from __future__ import annotations

from lamina.layers.convolutional.base_conv import BaseConv

__all__ = ["Conv3D"]


class Conv3D(BaseConv):
    """3-D convolution with kernel shape (kd, kh, kw, in/groups, filters).

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 3 ints.
        strides, padding, data_format, dilation_rate, groups, activation, use_bias,
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: as for `Conv2D`.

    Example:
        >>> layer = Conv3D(2, 3, padding="same", strides=2)
        >>> layer(np.zeros((1, 5, 6, 7, 3), "float32")).shape
        torch.Size([1, 3, 3, 4, 2])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=3, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format, dilation_rate=dilation_rate,
                         groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
