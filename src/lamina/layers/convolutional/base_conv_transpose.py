"""BaseConvTranspose: the transposed (fractionally strided) convolution behind Conv*DTranspose."""
from __future__ import annotations

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.convolutional.base_conv import check_strides_and_dilation, known_input_channels
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.conv_utils import (channel_axis_hint, convolve_transpose,
                                     standardize_data_format, standardize_padding,
                                     standardize_tuple, transpose_output_length)

__all__ = ["BaseConvTranspose"]


class BaseConvTranspose(Layer):
    """Abstract N-D transposed convolution, kernel shape (*kernel_size, filters, in_channels).

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters: number of output channels.
        kernel_size, strides, dilation_rate: ints or tuples of `rank` ints.
        padding: 'valid' or 'same' (case-insensitive).
        output_padding: int or tuple of `rank` ints, each < its stride, added to the output
            length; None lets Keras' rule decide.
        data_format: 'channels_last' (default) or 'channels_first'.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as for
        `Conv2D`.
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive "
                             f"integer. Received filters={filters!r}.")
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.output_padding = (None if output_padding is None else
                               standardize_tuple(output_padding, rank, "output_padding",
                                                 allow_zero=True))
        if self.output_padding is not None:
            for index, (extra, stride) in enumerate(zip(self.output_padding, self.strides)):
                if extra >= stride:
                    raise ValueError(
                        f"`output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {index}, `output_padding` is {extra} but "
                        f"`strides` is {stride}. Received: output_padding={self.output_padding}, "
                        f"strides={self.strides}")
        check_strides_and_dilation(self.strides, self.dilation_rate)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        input_channel = known_input_channels(self, input_shape)
        axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: input_channel})
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, input_channel),
                                      name="kernel", initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        # Keras' kernel (*kernel_size, out, in) is torch's (in, out, *kernel_size) permuted.
        weight = self.kernel.permute(self.rank + 1, self.rank, *range(self.rank))
        outputs = convolve_transpose(inputs, weight, self.bias, strides=self.strides,
                                     padding=self.padding, output_padding=self.output_padding,
                                     dilation_rate=self.dilation_rate,
                                     data_format=self.data_format)
        # Read at call time, as Keras does: `layer.activation = None` (Grad-CAM) is linear.
        activation = self.activation
        if activation is None or activation is activations.linear:
            return outputs
        return activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        channels_last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if channels_last else input_shape[2:]
        output_padding = self.output_padding or (None,) * self.rank
        out = tuple(transpose_output_length(size, k, s, self.padding, extra, d) for
                    size, k, s, extra, d in zip(spatial, self.kernel_size, self.strides,
                                                output_padding, self.dilation_rate))
        return ((input_shape[0],) + out + (self.filters,) if channels_last
                else (input_shape[0], self.filters) + out)

    def _input_spec_hint(self, index, shape) -> str:
        return channel_axis_hint(self, shape, self.rank, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "output_padding": self.output_padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(activations.get(self.activation)),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
