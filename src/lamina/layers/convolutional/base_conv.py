"""BaseConv: the N-D convolution behind Conv1D, Conv2D and Conv3D, on torch's conv kernels.

The kernel call is `conv_utils.convolve`, shared with the depthwise and separable convolutions
and with `keras.ops.conv`.
"""
from __future__ import annotations

import numbers

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.conv_utils import (channel_axis_hint, check_window_fits, convolve,
                                     output_length, standardize_data_format, standardize_padding,
                                     standardize_tuple)
from lamina.utils.errors import ArgumentKindError

__all__ = ["BaseConv"]


class BaseConv(Layer):
    """Abstract N-D convolution: `activation(conv(inputs, kernel) + bias)`.

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters: number of output channels.
        kernel_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple of `rank` ints (default 1).
        padding: 'valid', 'same' (TensorFlow's: the extra cell at the end when odd), or
            'causal' for rank 1; case-insensitive.
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple of `rank` ints; > 1 is incompatible with strides > 1.
        groups: split the channels into this many independent convolutions.
        activation: activation name or function (default: none).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.
    """

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = _positive_int(filters, "filters")
        self.groups = _positive_int(groups, "groups")
        if self.filters % self.groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={self.groups}, filters={self.filters}.")
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        check_strides_and_dilation(self.strides, self.dilation_rate)
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
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
        if input_channel % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {input_channel} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: input_channel})
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (input_channel // self.groups, self.filters), name="kernel",
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        # Keras' kernel (*kernel_size, in, out) is torch's (out, in, *kernel_size) permuted: a view.
        weight = self.kernel.permute(self.rank + 1, self.rank, *range(self.rank))
        outputs = convolve(inputs, weight, self.bias, strides=self.strides, padding=self.padding,
                           dilation_rate=self.dilation_rate, groups=self.groups,
                           data_format=self.data_format)
        # Read at call time, as Keras does: `layer.activation = None` (Grad-CAM) is linear.
        activation = self.activation
        if activation is None or activation is activations.linear:
            return outputs
        return activation(outputs)

    def compute_output_shape(self, input_shape):
        return conv_output_shape(self, input_shape, self.filters, self.kernel_size,
                                 self.strides, self.dilation_rate)

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_spec_hint(self, index, shape) -> str:
        return channel_axis_hint(self, shape, self.rank, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
                "activation": activations.serialize(activations.get(self.activation)),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


def conv_output_shape(layer, input_shape, channels, kernel_size, strides, dilation_rate):
    """Output shape of a convolution `layer` (None dims stay None); checks the kernel fits."""
    input_shape = tuple(input_shape)
    channels_last = layer.data_format == "channels_last"
    spatial = input_shape[1:-1] if channels_last else input_shape[2:]
    check_window_fits(layer, input_shape, spatial, kernel_size, "kernel_size", layer.padding,
                      strides, dilation_rate)
    out = tuple(output_length(size, k, layer.padding, s, d)
                for size, k, s, d in zip(spatial, kernel_size, strides, dilation_rate))
    return ((input_shape[0],) + out + (channels,) if channels_last
            else (input_shape[0], channels) + out)


def known_input_channels(layer, input_shape) -> int:
    """The channel count of `input_shape`; a clear error when it is unknown."""
    input_shape = tuple(input_shape)
    axis = -1 if layer.data_format == "channels_last" else 1
    channels = input_shape[axis]
    if channels is None:
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) needs a known number of "
                         f"input channels (axis {axis}) to build, but received input shape "
                         f"{input_shape}.")
    return int(channels)


def check_strides_and_dilation(strides, dilation_rate) -> None:
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                         f"Received: strides={strides} and dilation_rate={dilation_rate}")


def _positive_int(value, name: str) -> int:
    # Keras takes any whole number here (8.0, np.int64(8)), as shapes do.
    whole = isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real)
                                                   and float(value).is_integer())
    if isinstance(value, bool) or not whole or value <= 0:
        # Keras raises TypeError for a string ('<=' not supported), ValueError for 0 or -1.
        kind = ValueError if isinstance(value, numbers.Real) else ArgumentKindError
        raise kind(f"Invalid value for argument `{name}`. Expected a strictly positive "
                   f"integer. Received {name}={value!r}.")
    return int(value)
