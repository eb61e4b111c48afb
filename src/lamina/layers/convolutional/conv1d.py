"""Conv1D: a 1-D convolution over sequences (batch, steps, channels)."""
from __future__ import annotations

from lamina.layers.convolutional.base_conv import BaseConv

__all__ = ["Conv1D"]


class Conv1D(BaseConv):
    """1-D convolution (temporal convolution) with kernel shape (kernel_size, in/groups, filters).

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 int, the window length.
        strides: int or tuple of 1 int (default 1).
        padding: 'valid', 'same' or 'causal' (left padding only: output step t sees
            inputs up to t); case-insensitive.
        data_format: 'channels_last' (batch, steps, channels) or 'channels_first'.
        dilation_rate, groups, activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: as for `Conv2D`.

    Example:
        >>> layer = Conv1D(4, 3, padding="causal")
        >>> layer(np.zeros((2, 10, 8), "float32")).shape
        torch.Size([2, 10, 4])
        >>> layer.kernel.shape
        (3, 8, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format, dilation_rate=dilation_rate,
                         groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
