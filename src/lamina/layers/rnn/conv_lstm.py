"""ConvLSTMCell and ConvLSTM: an LSTM whose transformations are 1-D, 2-D or 3-D convolutions.

Keras' one cell and one layer over `rank`, under ConvLSTM1D/2D/3D. The input convolution of
every timestep runs as one call over `(batch * time)` frames; only the recurrent convolution
(stride 1, 'same') runs per step. Frames stay in Keras' layout: a channels-last frame is
handed to torch as a permuted view (torch's channels_last memory format), not a copy.

Example:
    >>> layer = ConvLSTM(2, 4, 3, padding="same", return_sequences=True)
    >>> layer(torch.ones(2, 5, 8, 8, 1)).shape
    torch.Size([2, 5, 8, 8, 4])
"""
from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.recurrent_cell import RecurrentCell, plain
from lamina.layers.rnn.rnn import RNN, forward_to_cell
from lamina.utils.argument_validation import standardize_data_format, standardize_tuple
from lamina.utils.conv_utils import convolve, output_length, standardize_padding

__all__ = ["ConvLSTM", "ConvLSTMCell"]

# The frame axes a ConvLSTM of each rank reads, for the missing-channel-axis hint.
_FRAME_AXES = {1: "rows", 2: "rows, cols", 3: "depth, rows, cols"}
_CELL_ARGUMENTS = (
    "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
    "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
    "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
    "dropout", "recurrent_dropout", "seed")


class ConvLSTMCell(RecurrentCell):
    """One ConvLSTM step; `kernel` (*k, in, 4f), `recurrent_kernel` (*k, f, 4f), `bias` (4f,).

    Args:
        rank: number of spatial axes of a frame (1, 2 or 3).
        filters: number of output channels of each state.
        kernel_size, strides, padding, data_format, dilation_rate: of the input convolution
            (the recurrent one has stride 1 and 'same' padding), as in Conv1D/2D/3D.
        activation, recurrent_activation, use_bias, initializers, unit_forget_bias,
        regularizers, constraints, dropout, recurrent_dropout, seed: as in `LSTMCell`.

    Example:
        >>> cell = ConvLSTMCell(1, 2, 3)
        >>> cell.build((None, 6, 1))
        >>> [tuple(w.shape) for w in cell.weights]
        [(3, 1, 8), (3, 2, 8), (8,)]
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        if rank > 3:
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. "
                             f"Received: rank={rank}")
        super().__init__(filters, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, seed, **kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides", allow_zero=True)
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"Specifying `strides > 1` is not compatible with "
                             f"`dilation_rate > 1`. Please provide `strides=1` or "
                             f"`dilation_rate=1`. Received: "
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
        channels_last = self.data_format == "channels_last"
        spatial = tuple(input_shape[1:-1] if channels_last else input_shape[2:])
        if None in spatial:
            raise ValueError(f"ConvLSTM layers only support static input shapes for the spatial "
                             f"dimension. Received invalid input shape: "
                             f"input_shape={tuple(input_shape)}")
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs (last axis) should be defined. "
                             f"Found None. Full input shape received: "
                             f"input_shape={tuple(input_shape)}")
        self.spatial_dims, self.input_dim = spatial, int(channels)
        self._add_kernels(self.kernel_size + (self.input_dim, 4 * self.filters),
                          self.kernel_size + (self.filters, 4 * self.filters))
        initializer = None
        if self.unit_forget_bias:
            initializer = self._unit_forget_bias_initializer(self.filters)
        self._add_bias((4 * self.filters,), initializer)

    def output_spatial_shape(self, spatial) -> tuple:
        return tuple(output_length(size, k, self.padding, s, d) for size, k, s, d in
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
        frame_shape = (batch * steps, *sequences.shape[2:])
        masks = self._input_masks(sequences, training)
        if masks is None:
            projected = self._conv(sequences.reshape(frame_shape), self.kernel, self.strides,
                                   self.padding, self.dilation_rate)
        else:
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
        ones = (1,) * self.rank
        if masks is None:
            recurrent = self._conv(h_previous, self.recurrent_kernel, ones, "same", ones)
        else:
            recurrent = torch.cat([self._conv(h_previous * m, k, ones, "same", ones) for m, k in
                                   zip(masks, self.recurrent_kernel.chunk(4, dim=-1))],
                                  dim=self._channel_axis)
        z_i, z_f, z_c, z_o = (projected + recurrent).chunk(4, dim=self._channel_axis)
        gate, activation = plain(self.recurrent_activation), plain(self.activation)
        c = gate(z_f) * c_previous + gate(z_i) * activation(z_c)
        h = gate(z_o) * activation(c)
        return h, [h, c]

    def _conv(self, frames, kernel, strides, padding, dilation):
        """A Keras-layout convolution: frames in `data_format`, kernel (*k, in, out)."""
        weight = kernel.movedim(-1, 0).movedim(-1, 1)  # torch's (out, in, *k)
        return convolve(frames, weight, None, strides=strides, padding=padding,
                        dilation_rate=dilation, groups=1, data_format=self.data_format)

    def get_config(self) -> dict:
        config = self._common_config()
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias, **config}


@forward_to_cell(*_CELL_ARGUMENTS[:-1])
class ConvLSTM(RNN):
    """A convolutional LSTM over `(batch, time, *spatial, channels)` sequences of frames.

    Args:
        rank: number of spatial axes of a frame (1, 2 or 3).
        filters ... seed: as in `ConvLSTMCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful: as in `RNN`.

    Example:
        >>> ConvLSTM(1, 2, 3)(torch.ones(1, 4, 6, 3)).shape
        torch.Size([1, 4, 2])
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        arguments = dict(zip(_CELL_ARGUMENTS, (
            filters, kernel_size, strides, padding, data_format, dilation_rate, activation,
            recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, unit_forget_bias, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
            recurrent_dropout, seed)))
        cell = self._make_cell(rank, arguments, dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.input_spec = InputSpec(ndim=rank + 3)

    def _make_cell(self, rank, arguments: dict, dtype) -> ConvLSTMCell:
        return ConvLSTMCell(rank, **arguments, name="conv_lstm_cell", dtype=dtype)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, steps = sequences_shape[0], sequences_shape[1]
        frames = (sequences_shape[3:] if self.data_format == "channels_first"
                  else sequences_shape[2:-1])
        state_shape = self.cell._frame_shape(tuple(frames))
        leading = (batch_size, steps) if self.return_sequences else (batch_size,)
        output_shape = leading + state_shape
        if self.return_state:
            return output_shape, (batch_size,) + state_shape, (batch_size,) + state_shape
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

    def _input_spec_hint(self, index, shape) -> str:
        if len(shape) == self.rank + 2:
            return (f". A {type(self).__name__} needs (batch, timesteps, {_FRAME_AXES[self.rank]}, "
                    f"channels); for single-channel frames add a channel axis: `x[..., None]`.")
        return ""

    def get_config(self) -> dict:
        return self._config_with_cell_arguments()

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
