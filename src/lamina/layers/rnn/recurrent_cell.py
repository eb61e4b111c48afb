"""`RecurrentCell`: what lamina's built-in cells (SimpleRNN, LSTM, GRU, ConvLSTM2D) share.

A cell splits one step into the part that depends only on the inputs and the part that
depends on the state. The RNN layer projects the whole sequence at once
(`project_inputs`, one large matmul or convolution instead of one per step) and then runs
`recurrent_step` per step; `call` (one step, Keras' cell API) composes the two. A cell that a
fused torch kernel computes exactly also returns a `FusedKernel` from `fused_kernel`.

Example:
    >>> cell = lamina.layers.SimpleRNNCell(3)
    >>> output, states = cell(torch.ones(2, 4), [torch.zeros(2, 3)])
    >>> output.shape, len(states)
    (torch.Size([2, 3]), 1)
"""
from __future__ import annotations

import torch

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.layer import Layer
from lamina.layers.rnn.dropout_rnn_cell import DropoutRNNCell

__all__ = ["RecurrentCell"]

# lamina's sigmoid tags its output with the logits for the losses; gates need none of that.
_PLAIN = {activations.sigmoid: torch.sigmoid, activations.tanh: torch.tanh}


class RecurrentCell(Layer, DropoutRNNCell):
    """Base class of the built-in cells: shared arguments, config, and the two-part step.

    Subclasses define `build`, `project_inputs`, `recurrent_step`, `state_size`,
    `output_size`, and optionally `fused_kernel`.
    """

    def __init__(self, units, use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units!r}.")
        self.units = units
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.bias = None

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        state_list = list(states) if nested else [states]
        projected = self.project_inputs(inputs.unsqueeze(1), training)[:, 0]
        output, new_states = self.recurrent_step(projected, state_list, training)
        return output, (new_states if nested else new_states[0])

    def project_inputs(self, sequences: torch.Tensor, training: bool) -> torch.Tensor:
        """The input side of every step at once: (batch, time, ...) -> (batch, time, gates)."""
        raise NotImplementedError

    def recurrent_step(self, projected: torch.Tensor, states: list, training: bool):
        """One step from its projected input and the previous states: `(output, new_states)`."""
        raise NotImplementedError

    def fused_kernel(self, training: bool):
        """The `FusedKernel` computing this cell exactly, or None (a step loop is needed)."""
        return None

    def fused_inputs(self, sequences: torch.Tensor, training: bool) -> torch.Tensor:
        """The sequences a fused kernel reads: with the input dropout mask applied in training."""
        masks = self._input_masks(sequences, training)
        return sequences if masks is None else sequences * masks

    def _dropout_allows_fusion(self, training: bool) -> bool:
        """A kernel takes one input mask and none on the state: no per-gate or recurrent masks."""
        if not training:
            return True
        per_gate = getattr(self, "dropout_mask_count", None) is not None and 0.0 < self.dropout < 1.0
        return not per_gate and not 0.0 < self.recurrent_dropout < 1.0

    def get_initial_state(self, batch_size=None) -> list:
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [torch.zeros((batch_size, size), dtype=self._dtype, device=self._device())
                for size in sizes]

    def _add_kernels(self, kernel_shape, recurrent_shape) -> None:
        self.kernel = self.add_weight(shape=kernel_shape, name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=recurrent_shape, name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)

    def _add_bias(self, shape, initializer=None) -> None:
        if self.use_bias:
            self.bias = self.add_weight(shape=shape, name="bias",
                                        initializer=initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _input_masks(self, sequences: torch.Tensor, training: bool):
        """The input dropout mask(s), shaped to broadcast over the time axis, or None."""
        if not training or not 0.0 < self.dropout < 1.0:
            return None
        masks = self.get_dropout_mask(sequences[:, 0])
        return [m.unsqueeze(1) for m in masks] if isinstance(masks, list) else masks.unsqueeze(1)

    def _recurrent_masks(self, state: torch.Tensor, training: bool):
        if not training or not 0.0 < self.recurrent_dropout < 1.0:
            return None
        return self.get_recurrent_dropout_mask(state)

    def _unit_forget_bias_initializer(self, gate_units: int):
        """Keras' unit_forget_bias: the bias initializer's values, with the forget gate's set to 1."""
        def initialize(shape, dtype=None):
            def part(initializer, size):
                return initializers.initialize(initializer, (size,), dtype=dtype, device="cpu")

            return torch.cat([part(self.bias_initializer, gate_units), part("ones", gate_units),
                              part(self.bias_initializer, 2 * gate_units)])

        return initialize

    def _common_config(self) -> dict:
        return {"use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


def plain(activation):
    """`activation`, with lamina's tagging sigmoid/tanh replaced by torch's own (same numbers)."""
    return _PLAIN.get(activation, activation)


def is_activation(activation, name: str) -> bool:
    """Whether `activation` is the built-in `name` ('tanh', 'sigmoid', 'relu'), however given."""
    builtin = {"tanh": (activations.tanh, torch.tanh), "sigmoid": (activations.sigmoid, torch.sigmoid),
               "relu": (activations.relu, torch.relu)}[name]
    return activation in builtin
