"""Conv2DTranspose: the transposed 2-D convolution (images, e.g. a decoder's upsampling)."""
from __future__ import annotations

from lamina.layers.convolutional.base_conv_transpose import BaseConvTranspose

__all__ = ["Conv2DTranspose"]


class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2-D convolution with kernel shape (kh, kw, filters, in_channels).

    The output length per axis is `input * stride` for padding='same' and
    `(input - 1) * stride + max(kernel, stride)` for 'valid', unless `output_padding` is given.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints (default 1).
        padding: 'valid' or 'same' (case-insensitive).
        output_padding: int or tuple of 2 ints, each < its stride (default None).
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple of 2 ints.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as for
        `Conv2D`.

    Example:
        >>> layer = Conv2DTranspose(16, 3, strides=2, padding="same")
        >>> layer(np.zeros((2, 7, 7, 32), "float32")).shape
        torch.Size([2, 14, 14, 16])
        >>> layer.kernel.shape
        (3, 3, 16, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, filters=filters, kernel_size=kernel_size, strides=strides,
                         padding=padding, output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
