"""GRU: the Gated Recurrent Unit (Cho et al. 2014) with Keras' gate order z, r, h.

With `reset_after=True` (Keras 3's default) the reset gate multiplies the recurrent
projection after the matmul, as in torch's GRU: the weights map to `torch.gru` by reordering
the gates to torch's r, z, n, and the bias `(2, 3 * units)` is torch's `(b_ih, b_hh)`.
`reset_after=False` resets the state before the matmul, which no torch kernel computes, so it
runs the step loop.

Example:
    >>> layer = GRU(16)
    >>> layer.build((None, 10, 8))
    >>> layer.count_params()
    1248
    >>> [w.shape for w in layer.get_weights()]
    [(8, 48), (16, 48), (2, 48)]
"""
from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.fused import FusedKernel
from lamina.layers.rnn.recurrent_cell import RecurrentCell, is_activation, plain
from lamina.layers.rnn.rnn import RNN, forward_to_cell

__all__ = ["GRUCell", "GRU"]


class GRUCell(RecurrentCell):
    """One GRU step; weights `kernel` (in, 3u), `recurrent_kernel` (u, 3u) and `bias`.

    `bias` is `(2, 3u)` (input and recurrent bias) with `reset_after=True`, else `(3u,)`.

    Args:
        units: dimensionality of the output and state.
        activation: default tanh; recurrent_activation: default sigmoid (the gates).
        use_bias ... seed: as in `LSTMCell` (without unit_forget_bias).
        reset_after: apply the reset gate after the recurrent matmul (default True).

    Example:
        >>> cell = GRUCell(4, reset_after=False)
        >>> output, [state] = cell(torch.ones(2, 3), [torch.zeros(2, 4)])
        >>> cell.bias.shape
        (12,)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(units, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, seed, **kwargs)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after
        # Keras' implementation 1 (one dropout mask per gate) whenever recurrent dropout is on.
        self.implementation = 1 if self.recurrent_dropout != 0.0 else implementation
        if self.implementation == 1:
            self.dropout_mask_count = 3
        self.state_size = units
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels((input_shape[-1], 3 * self.units), (self.units, 3 * self.units))
        self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))

    def _input_and_recurrent_bias(self):
        if self.bias is None:
            return None, None
        return (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)

    def project_inputs(self, sequences, training):
        masks = self._input_masks(sequences, training)
        if isinstance(masks, list):
            kernels = self.kernel.chunk(3, dim=1)
            projected = torch.cat([(sequences * m) @ k for m, k in zip(masks, kernels)], dim=-1)
        else:
            projected = (sequences * masks if masks is not None else sequences) @ self.kernel
        input_bias, _ = self._input_and_recurrent_bias()
        return projected + input_bias if input_bias is not None else projected

    def recurrent_step(self, projected, states, training):
        h_previous = states[0]
        masks = self._recurrent_masks(h_previous, training)
        h_z, h_r, h_h = [h_previous * m for m in masks] if masks is not None else [h_previous] * 3
        k_z, k_r, k_h = self.recurrent_kernel.chunk(3, dim=1)
        x_z, x_r, x_h = projected.chunk(3, dim=-1)
        if masks is None:
            # One matmul for every gate that reads the plain previous state.
            width = 3 if self.reset_after else 2
            inner = h_previous @ self.recurrent_kernel[:, :width * self.units]
            recurrent = list(inner.chunk(width, dim=-1))
        else:
            recurrent = [h_z @ k_z, h_r @ k_r] + ([h_h @ k_h] if self.reset_after else [])
        _, recurrent_bias = self._input_and_recurrent_bias()
        if recurrent_bias is not None:
            recurrent = [r + b for r, b in zip(recurrent, recurrent_bias.chunk(3))]
        gate, activation = plain(self.recurrent_activation), plain(self.activation)
        z = gate(x_z + recurrent[0])
        r = gate(x_r + recurrent[1])
        recurrent_h = r * recurrent[2] if self.reset_after else (r * h_h) @ k_h
        hh = activation(x_h + recurrent_h)
        h = z * h_previous + (1 - z) * hh
        return h, [h]

    def fused_kernel(self, training):
        if not self.reset_after or not (is_activation(self.activation, "tanh")
                                        and is_activation(self.recurrent_activation, "sigmoid")):
            return None
        if not self._dropout_allows_fusion(training):
            return None
        weights = [_torch_gate_order(self.kernel).T, _torch_gate_order(self.recurrent_kernel).T]
        if self.bias is not None:
            weights += [_torch_gate_order(self.bias[0]), _torch_gate_order(self.bias[1])]
        return FusedKernel("gru", weights, self.bias is not None)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                **self._common_config(), "reset_after": self.reset_after}


def _torch_gate_order(weight: torch.Tensor) -> torch.Tensor:
    """Keras' gate blocks (z, r, h) on the last axis, reordered to torch's (r, z, n)."""
    z, r, h = weight.chunk(3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


@forward_to_cell("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                 "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                 "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                 "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                 "reset_after")
class GRU(RNN):
    """Gated Recurrent Unit layer, on torch's fused kernel whenever the configuration allows.

    The fused kernel runs for `reset_after=True`, the default activations, no recurrent dropout
    in training, no `unroll`, with or without a mask. `use_cudnn=False` forces the step loop;
    `True` requires the fused kernel.

    Args:
        units ... seed: as in `GRUCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in `RNN`.
        reset_after: as in `GRUCell`.
        use_cudnn: 'auto', True or False.

    Example:
        >>> GRU(4)(torch.ones(32, 10, 8)).shape
        torch.Size([32, 4])
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"Invalid valid received for argument `use_cudnn`. Expected one of "
                             f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn!r}")
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation,
                       use_bias=use_bias, kernel_initializer=kernel_initializer,
                       recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer,
                       bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                       recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                       dropout=dropout, recurrent_dropout=recurrent_dropout,
                       reset_after=reset_after, dtype=kwargs.get("dtype"),
                       trainable=kwargs.get("trainable", True), name="gru_cell", seed=seed,
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
