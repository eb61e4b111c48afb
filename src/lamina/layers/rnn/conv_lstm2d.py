"""ConvLSTM2D: an LSTM whose input and recurrent transformations are 2-D convolutions.

The input convolution of every timestep runs as one `F.conv2d` call over `(batch * time)`
frames; only the recurrent convolution (stride 1, 'same') runs per step. Frames stay in
Keras' layout: a channels-last frame is viewed as NCHW with a free `permute` (torch's
channels_last memory format).

Example:
    >>> layer = ConvLSTM2D(4, 3, padding="same", return_sequences=True)
    >>> layer(torch.ones(2, 5, 8, 8, 1)).shape
    torch.Size([2, 5, 8, 8, 4])
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import activations
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.recurrent_cell import RecurrentCell, plain
from lamina.layers.rnn.rnn import RNN, forward_to_cell
from lamina.utils.argument_validation import standardize_data_format, standardize_tuple

__all__ = ["ConvLSTM2DCell", "ConvLSTM2D"]


class ConvLSTM2DCell(RecurrentCell):
    """One ConvLSTM2D step; `kernel` (kh, kw, in, 4f), `recurrent_kernel` (kh, kw, f, 4f), `bias` (4f,).

    Args:
        filters: number of output channels of each state.
        kernel_size, strides, padding, data_format, dilation_rate: of the input convolution
            (the recurrent one has stride 1 and 'same' padding), as in Conv2D.
        activation, recurrent_activation, use_bias, initializers, unit_forget_bias,
        regularizers, constraints, dropout, recurrent_dropout, seed: as in `LSTMCell`.

    Example:
        >>> cell = ConvLSTM2DCell(2, 3)
        >>> cell.build((None, 6, 6, 1))
        >>> [tuple(w.shape) for w in cell.weights]
        [(3, 3, 1, 8), (3, 3, 2, 8), (8,)]
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(filters, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, seed, **kwargs)
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, 2, "kernel_size")
        self.strides = standardize_tuple(strides, 2, "strides", allow_zero=True)
        self.padding = padding.lower() if isinstance(padding, str) else padding
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be one of 'valid', 'same' "
                             f"(case-insensitive). Received: padding={padding!r}")
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, 2, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"Specifying `strides > 1` is not compatible with `dilation_rate > 1`. "
                             f"Please provide `strides=1` or `dilation_rate=1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.dropout_mask_count = 4
        self.state_size = -1
        self.spatial_dims = None

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape) -> None:
        spatial = tuple(input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:])
        if None in spatial:
            raise ValueError(f"ConvLSTM layers only support static input shapes for the spatial "
                             f"dimension. Received invalid input shape: "
                             f"input_shape={tuple(input_shape)}")
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs should be defined. Found None. "
                             f"Full input shape received: input_shape={tuple(input_shape)}")
        self.spatial_dims, self.input_dim = spatial, int(channels)
        self._add_kernels(self.kernel_size + (self.input_dim, 4 * self.filters),
                          self.kernel_size + (self.filters, 4 * self.filters))
        initializer = self._unit_forget_bias_initializer(self.filters) if self.unit_forget_bias else None
        self._add_bias((4 * self.filters,), initializer)

    def output_spatial_shape(self, spatial) -> tuple:
        return tuple(_output_length(size, k, self.padding, s, d) for size, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def _frame_shape(self, spatial) -> tuple:
        spatial = self.output_spatial_shape(spatial)
        if self.data_format == "channels_last":
            return spatial + (self.filters,)
        return (self.filters,) + spatial

    def get_initial_state(self, batch_size=None) -> list:
        shape = (batch_size,) + self._frame_shape(self.spatial_dims)
        return [torch.zeros(shape, dtype=self._dtype, device=self._device()) for _ in range(2)]

    def project_inputs(self, sequences, training):
        batch, steps = sequences.shape[0], sequences.shape[1]
        masks = self._input_masks(sequences, training)
        if masks is None:
            frames = sequences.reshape(batch * steps, *sequences.shape[2:])
            projected = self._conv(frames, self.kernel, self.strides, self.padding, self.dilation_rate)
        else:
            frame_shape = (batch * steps, *sequences.shape[2:])
            projected = torch.cat([self._conv((sequences * m).reshape(frame_shape), k, self.strides,
                                              self.padding, self.dilation_rate)
                                   for m, k in zip(masks, self.kernel.chunk(4, dim=-1))],
                                  dim=self._channel_axis)
        if self.bias is not None:
            shape = [1] * projected.ndim
            shape[self._channel_axis] = -1
            projected = projected + self.bias.view(shape)
        return projected.reshape(batch, steps, *projected.shape[1:])

    def recurrent_step(self, projected, states, training):
        h_previous, c_previous = states[0], states[1]
        masks = self._recurrent_masks(h_previous, training)
        if masks is None:
            recurrent = self._conv(h_previous, self.recurrent_kernel, (1, 1), "same", (1, 1))
        else:
            recurrent = torch.cat([self._conv(h_previous * m, k, (1, 1), "same", (1, 1)) for m, k in
                                   zip(masks, self.recurrent_kernel.chunk(4, dim=-1))],
                                  dim=self._channel_axis)
        z_i, z_f, z_c, z_o = (projected + recurrent).chunk(4, dim=self._channel_axis)
        gate, activation = plain(self.recurrent_activation), plain(self.activation)
        c = gate(z_f) * c_previous + gate(z_i) * activation(z_c)
        h = gate(z_o) * activation(c)
        return h, [h, c]

    def _conv(self, frames, kernel, strides, padding, dilation):
        """A Keras-layout convolution: frames in `data_format`, kernel (kh, kw, in, out)."""
        channels_last = self.data_format == "channels_last"
        # NHWC viewed as NCHW is torch's channels_last memory format: no copy.
        x = frames.permute(0, 3, 1, 2) if channels_last else frames
        weight = kernel.permute(3, 2, 0, 1)
        if padding == "same":
            pads = [_same_padding(size, k, s, d) for size, k, s, d in
                    zip(x.shape[2:], self.kernel_size, strides, dilation)]
            x = F.pad(x, (pads[1][0], pads[1][1], pads[0][0], pads[0][1]))
        out = F.conv2d(x, weight, stride=strides, dilation=dilation)
        return out.permute(0, 2, 3, 1) if channels_last else out

    def get_config(self) -> dict:
        config = self._common_config()
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias, **config}


def _same_padding(size: int, window: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding (before, after): the odd cell goes after."""
    effective = (window - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _output_length(size, window: int, padding: str, stride: int, dilation: int):
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    return (size - (window - 1) * dilation - 1) // stride + 1


@forward_to_cell("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                 "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                 "recurrent_initializer", "bias_initializer", "unit_forget_bias",
                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                 "recurrent_dropout")
class ConvLSTM2D(RNN):
    """2-D convolutional LSTM over `(batch, time, rows, cols, channels)` sequences of frames.

    Args:
        filters ... seed: as in `ConvLSTM2DCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful: as in `RNN`.

    Example:
        >>> ConvLSTM2D(2, (3, 3))(torch.ones(1, 4, 6, 6, 3)).shape
        torch.Size([1, 4, 4, 2])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTM2DCell(filters=filters, kernel_size=kernel_size, strides=strides,
                              padding=padding, data_format=data_format,
                              dilation_rate=dilation_rate, activation=activation,
                              recurrent_activation=recurrent_activation, use_bias=use_bias,
                              kernel_initializer=kernel_initializer,
                              recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                              kernel_regularizer=kernel_regularizer,
                              recurrent_regularizer=recurrent_regularizer,
                              bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint, dropout=dropout,
                              recurrent_dropout=recurrent_dropout, seed=seed,
                              name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=5)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, steps = sequences_shape[0], sequences_shape[1]
        frames = sequences_shape[3:5] if self.data_format == "channels_first" else sequences_shape[2:4]
        state_shape = self.cell._frame_shape(tuple(frames))
        output_shape = ((batch_size, steps) if self.return_sequences else (batch_size,)) + state_shape
        if self.return_state:
            return output_shape, (batch_size,) + state_shape, (batch_size,) + state_shape
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

    def _input_spec_hint(self, index, shape) -> str:
        if len(shape) == 4:
            return (". A ConvLSTM2D needs (batch, timesteps, rows, cols, channels); for "
                    "single-channel frames add a channel axis: `x[..., None]`.")
        return ""

    def get_config(self) -> dict:
        return self._config_with_cell_arguments()

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
