"""LSTM: Long Short-Term Memory (Hochreiter 1997) with Keras' weight layout and gate order i, f, c, o.

Keras' gate order is torch's (i, f, g, o) and its single bias `(4 * units,)` is torch's `b_ih`
with `b_hh = 0`, so the default configuration runs on `torch.lstm` unchanged.

Example:
    >>> layer = LSTM(16)
    >>> layer.build((None, 10, 8))
    >>> layer.count_params()
    1600
    >>> [w.shape for w in layer.get_weights()]
    [(8, 64), (16, 64), (64,)]
"""
from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.fused import FusedKernel
from lamina.layers.rnn.recurrent_cell import RecurrentCell, is_activation, plain
from lamina.layers.rnn.rnn import RNN, forward_to_cell

__all__ = ["LSTMCell", "LSTM"]


class LSTMCell(RecurrentCell):
    """One LSTM step; weights `kernel` (in, 4u), `recurrent_kernel` (u, 4u), `bias` (4u,).

    Args:
        units: dimensionality of the output and of each state.
        activation: default tanh; recurrent_activation: default sigmoid (the gates).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer: glorot_uniform,
            orthogonal and zeros by default.
        unit_forget_bias: start the forget gate's bias at 1 (default True).
        kernel_regularizer ... bias_constraint: weight penalties and constraints.
        dropout, recurrent_dropout: fractions of the inputs / state dropped in training.
        seed: seed of the dropout masks.

    Example:
        >>> cell = LSTMCell(4)
        >>> h, [h_again, c] = cell(torch.ones(2, 3), [torch.zeros(2, 4), torch.zeros(2, 4)])
        >>> h.shape, c.shape
        (torch.Size([2, 4]), torch.Size([2, 4]))
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, seed, **kwargs)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        # Keras' implementation 1 (one dropout mask per gate) whenever recurrent dropout is on.
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels((input_shape[-1], 4 * self.units), (self.units, 4 * self.units))
        initializer = self._unit_forget_bias_initializer(self.units) if self.unit_forget_bias else None
        self._add_bias((4 * self.units,), initializer)

    def project_inputs(self, sequences, training):
        masks = self._input_masks(sequences, training)
        if isinstance(masks, list):
            kernels = self.kernel.chunk(4, dim=1)
            projected = torch.cat([(sequences * m) @ k for m, k in zip(masks, kernels)], dim=-1)
        else:
            projected = (sequences * masks if masks is not None else sequences) @ self.kernel
        return projected + self.bias if self.bias is not None else projected

    def recurrent_step(self, projected, states, training):
        h_previous, c_previous = states[0], states[1]
        masks = self._recurrent_masks(h_previous, training)
        if masks is None:
            z = projected + h_previous @ self.recurrent_kernel
        else:
            kernels = self.recurrent_kernel.chunk(4, dim=1)
            z = projected + torch.cat([(h_previous * m) @ k for m, k in zip(masks, kernels)], dim=-1)
        z_i, z_f, z_c, z_o = z.chunk(4, dim=-1)
        gate, activation = plain(self.recurrent_activation), plain(self.activation)
        c = gate(z_f) * c_previous + gate(z_i) * activation(z_c)
        h = gate(z_o) * activation(c)
        return h, [h, c]

    def fused_kernel(self, training):
        if not (is_activation(self.activation, "tanh")
                and is_activation(self.recurrent_activation, "sigmoid")):
            return None
        if not self._dropout_allows_fusion(training):
            return None
        weights = [self.kernel.T, self.recurrent_kernel.T]
        if self.bias is not None:
            weights += [self.bias, self.bias.new_zeros(self.bias.shape)]
        return FusedKernel("lstm", weights, self.bias is not None)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias, **self._common_config()}


@forward_to_cell("units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
                 "kernel_initializer", "recurrent_initializer", "bias_initializer",
                 "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                 "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                 "recurrent_dropout")
class LSTM(RNN):
    """Long Short-Term Memory layer, on torch's fused kernel whenever the configuration allows.

    The fused kernel runs for the default activations, without recurrent dropout in training,
    without `unroll`, and under any mask (except when an LSTM must return its final carry under
    a mask: `return_state` or `stateful`). `use_cudnn=False` forces the step loop; `True`
    requires the fused kernel.

    Args:
        units ... seed: as in `LSTMCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in `RNN`.
        use_cudnn: 'auto', True or False.

    Example:
        >>> sequences, h, c = LSTM(4, return_sequences=True, return_state=True)(torch.ones(32, 10, 8))
        >>> sequences.shape, h.shape, c.shape
        (torch.Size([32, 10, 4]), torch.Size([32, 4]), torch.Size([32, 4]))
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"Invalid valid received for argument `use_cudnn`. Expected one of "
                             f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}")
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation,
                        use_bias=use_bias, kernel_initializer=kernel_initializer,
                        unit_forget_bias=unit_forget_bias,
                        recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                        recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                        dropout=dropout, recurrent_dropout=recurrent_dropout,
                        dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                        name="lstm_cell", seed=seed,
                        implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        self.use_cudnn = use_cudnn

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self) -> dict:
        return self._config_with_cell_arguments()

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
