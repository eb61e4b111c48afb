"""BaseDepthwiseConv: one filter bank per input channel, behind DepthwiseConv1D/2D."""
from __future__ import annotations

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.convolutional.base_conv import conv_output_shape, known_input_channels
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.conv_utils import (channel_axis_hint, convolve, standardize_data_format,
                                     standardize_padding, standardize_tuple)

__all__ = ["BaseDepthwiseConv", "depthwise_weight"]


def depthwise_weight(kernel, rank: int):
    """Keras' depthwise kernel (*kernel_size, in, multiplier) as torch's grouped weight.

    Output channel `c * multiplier + m` filters input channel `c` in both Keras and torch
    (groups=in), so the (in, multiplier) axes merge into one by a reshape (a view).
    """
    merged = kernel.reshape(*kernel.shape[:rank], 1, kernel.shape[rank] * kernel.shape[rank + 1])
    return merged.permute(rank + 1, rank, *range(rank))


class BaseDepthwiseConv(Layer):
    """Abstract N-D depthwise convolution: each input channel convolved with its own filters.

    Args:
        rank: number of spatial dimensions (1 or 2).
        depth_multiplier: output channels per input channel.
        kernel_size, strides, dilation_rate: ints or tuples of `rank` ints.
        padding: 'valid' or 'same' (case-insensitive).
        data_format: 'channels_last' (default) or 'channels_first'.
        activation: activation name or function (default: none).
        use_bias: whether to add a bias per output channel.
        depthwise_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        depthwise_regularizer, bias_regularizer, activity_regularizer: penalties.
        depthwise_constraint, bias_constraint: projections applied after each update.
    """

    def __init__(self, rank: int, depth_multiplier: int, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if (isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int)
                or depth_multiplier <= 0):
            raise ValueError(f"Invalid value for argument `depth_multiplier`. Expected a strictly "
                             f"positive integer. Received depth_multiplier={depth_multiplier!r}.")
        self.depth_multiplier = depth_multiplier
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        input_channel = known_input_channels(self, input_shape)
        axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: input_channel})
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (input_channel, self.depth_multiplier), name="kernel",
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(input_channel * self.depth_multiplier,),
                                        name="bias", initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        outputs = convolve(inputs, depthwise_weight(self.kernel, self.rank), self.bias,
                           strides=self.strides, padding=self.padding,
                           dilation_rate=self.dilation_rate, groups=self.kernel.shape[-2],
                           data_format=self.data_format)
        # Read at call time, as Keras does: `layer.activation = None` (Grad-CAM) is linear.
        activation = self.activation
        if activation is None or activation is activations.linear:
            return outputs
        return activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        channels = None if channels is None else channels * self.depth_multiplier
        return conv_output_shape(self, input_shape, channels, self.kernel_size, self.strides,
                                 self.dilation_rate)

    def _input_spec_hint(self, index, shape) -> str:
        return channel_axis_hint(self, shape, self.rank, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "depth_multiplier": self.depth_multiplier,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(activations.get(self.activation)),
                "use_bias": self.use_bias,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
