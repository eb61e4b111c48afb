"""BaseSeparableConv: a depthwise convolution then a 1x1 (pointwise) one, behind SeparableConv1D/2D."""
from __future__ import annotations

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.convolutional.base_conv import conv_output_shape, known_input_channels
from lamina.layers.convolutional.base_depthwise_conv import depthwise_weight
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.conv_utils import (channel_axis_hint, convolve, standardize_data_format,
                                     standardize_padding, standardize_tuple)

__all__ = ["BaseSeparableConv"]


class BaseSeparableConv(Layer):
    """Abstract N-D separable convolution: depthwise (strides, padding, dilation) then pointwise.

    Weights: depthwise_kernel (*kernel_size, in, depth_multiplier), pointwise_kernel
    (1, ..., in * depth_multiplier, filters) and bias (filters,), as in Keras.

    Args:
        rank: number of spatial dimensions (1 or 2).
        depth_multiplier: depthwise output channels per input channel.
        filters: number of output channels.
        kernel_size, strides, dilation_rate: ints or tuples of `rank` ints.
        padding: 'valid' or 'same' (case-insensitive).
        data_format: 'channels_last' (default) or 'channels_first'.
        activation: activation name or function (default: none).
        use_bias: whether to add a bias per filter.
        depthwise_initializer, pointwise_initializer, bias_initializer: initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        depthwise_constraint, pointwise_constraint, bias_constraint: projections.
    """

    def __init__(self, rank: int, depth_multiplier: int, filters: int, kernel_size, strides=1,
                 padding="valid", data_format=None, dilation_rate=1, activation=None,
                 use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        for name, value in (("depth_multiplier", depth_multiplier), ("filters", filters)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"Invalid value for argument `{name}`. Expected a strictly "
                                 f"positive integer. Received {name}={value!r}.")
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.depthwise_kernel = None
        self.pointwise_kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        input_channel = known_input_channels(self, input_shape)
        axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: input_channel})
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (input_channel, self.depth_multiplier),
            name="depthwise_kernel", initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (input_channel * self.depth_multiplier, self.filters),
            name="pointwise_kernel", initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        rank = self.rank
        depthwise = convolve(inputs, depthwise_weight(self.depthwise_kernel, rank), None,
                             strides=self.strides, padding=self.padding,
                             dilation_rate=self.dilation_rate,
                             groups=self.depthwise_kernel.shape[-2], data_format=self.data_format)
        pointwise = self.pointwise_kernel.permute(rank + 1, rank, *range(rank))
        outputs = convolve(depthwise, pointwise, self.bias, strides=(1,) * rank, padding="valid",
                           dilation_rate=(1,) * rank, groups=1, data_format=self.data_format)
        # Read at call time, as Keras does: `layer.activation = None` (Grad-CAM) is linear.
        activation = self.activation
        if activation is None or activation is activations.linear:
            return outputs
        return activation(outputs)

    def compute_output_shape(self, input_shape):
        return conv_output_shape(self, input_shape, self.filters, self.kernel_size, self.strides,
                                 self.dilation_rate)

    def _input_spec_hint(self, index, shape) -> str:
        return channel_axis_hint(self, shape, self.rank, self.data_format)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "depth_multiplier": self.depth_multiplier,
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(activations.get(self.activation)),
                "use_bias": self.use_bias,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
