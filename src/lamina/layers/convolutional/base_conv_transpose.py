"""BaseConvTranspose: the transposed (fractionally strided) convolution behind Conv*DTranspose."""
from __future__ import annotations

import torch.nn.functional as F

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.convolutional.base_conv import check_strides_and_dilation, known_input_channels
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.conv_utils import (channel_axis_hint, standardize_data_format,
                                     standardize_padding, standardize_tuple)

__all__ = ["BaseConvTranspose", "transpose_crops"]

_CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def transpose_output_length(size, kernel: int, stride: int, padding: str, output_padding,
                            dilation: int):
    """Keras' (TensorFlow's) output length of a transposed convolution (None stays None)."""
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return (size - 1) * stride + effective + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + effective % 2 + output_padding


def transpose_crops(kernel: int, stride: int, padding: str, output_padding, dilation: int):
    """(left, right) cells to remove from torch's full output `(size - 1) * stride + k_eff`.

    Keras (like JAX and TensorFlow) pads the dilated input by (left_pad, right_pad) before a
    stride-1 convolution; torch's full output corresponds to `k_eff - 1` on both sides.
    `right` may be negative: Keras' output is then longer than torch's full output.
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        left_pad, right_pad = effective - 1, effective - 1 + extra
    else:
        total = (stride + effective - 2 if output_padding is None
                 else effective + effective % 2 - 2 + output_padding)
        left_pad = min(total // 2 + total % 2, effective - 1)
        right_pad = total - left_pad
    return effective - 1 - left_pad, effective - 1 - right_pad


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
        self._apply_activation = activations.serialize(self.activation) != "linear"
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
        if self._batch_input_shape is not None:
            self.build_from_shape(self._batch_input_shape)

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
        channels_last = self.data_format == "channels_last"
        output_padding = self.output_padding or (None,) * self.rank
        crops = [transpose_crops(k, s, self.padding, extra, d) for k, s, extra, d in
                 zip(self.kernel_size, self.strides, output_padding, self.dilation_rate)]
        # torch crops symmetrically (`padding`) and extends on the right (`output_padding`);
        # what is left of Keras' asymmetric crop is a slice, i.e. a view.
        symmetric = [max(min(left, right), 0) for left, right in crops]
        extend = [max(-right, 0) for _, right in crops]
        # Keras' kernel (*kernel_size, out, in) is torch's (in, out, *kernel_size) permuted.
        weight = self.kernel.permute(self.rank + 1, self.rank, *range(self.rank))
        # channels_last inputs go to torch as a permuted view in channels_last memory (no copy).
        x = inputs.movedim(-1, 1) if channels_last else inputs
        outputs = _CONV_TRANSPOSE[self.rank](x, weight, self.bias, self.strides, symmetric,
                                             extend, 1, self.dilation_rate)
        slices = [slice(None), slice(None)]
        for (left, right), sym in zip(crops, symmetric):
            stop = outputs.shape[len(slices)] - (max(right, 0) - sym)
            slices.append(slice(left - sym, stop))
        outputs = outputs[tuple(slices)]
        if channels_last:
            outputs = outputs.movedim(1, -1)
        return self.activation(outputs) if self._apply_activation else outputs

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
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
