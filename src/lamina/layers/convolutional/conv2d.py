"""Conv2D: a 2-D convolution over images (batch, height, width, channels)."""
from __future__ import annotations

from lamina.layers.convolutional.base_conv import BaseConv

__all__ = ["Conv2D"]


class Conv2D(BaseConv):
    """2-D convolution with kernel shape (kh, kw, in/groups, filters), as in Keras.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints, the window (height, width).
        strides: int or tuple of 2 ints (default 1).
        padding: 'valid' (no padding) or 'same' (output size ceil(input / stride); the odd
            padding cell goes at the bottom/right, as in TensorFlow); case-insensitive.
        data_format: 'channels_last' (batch, h, w, c), the default, or 'channels_first'.
        dilation_rate: int or tuple of 2 ints, spacing of the kernel's taps.
        groups: split the channels into this many independent convolutions.
        activation: activation name or function (default: none).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    Example:
        >>> layer = Conv2D(32, 3, activation="relu")
        >>> layer.build((None, 28, 28, 1))
        >>> layer.count_params()
        320
        >>> layer(np.zeros((2, 28, 28, 1), "float32")).shape
        torch.Size([2, 26, 26, 32])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, data_format=data_format, dilation_rate=dilation_rate,
                         groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
