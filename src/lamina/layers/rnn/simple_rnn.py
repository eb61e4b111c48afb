"""SimpleRNN: the fully connected recurrence `h = activation(x @ kernel + h @ recurrent_kernel + bias)`.

Example:
    >>> layer = SimpleRNN(16)
    >>> layer.build((None, 10, 8))
    >>> layer.count_params()
    400
"""
from __future__ import annotations

from lamina import activations
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.fused import FusedKernel
from lamina.layers.rnn.recurrent_cell import RecurrentCell, is_activation, plain
from lamina.layers.rnn.rnn import RNN, forward_to_cell

__all__ = ["SimpleRNNCell", "SimpleRNN"]


class SimpleRNNCell(RecurrentCell):
    """One step of SimpleRNN; weights `kernel` (in, units), `recurrent_kernel` (units, units), `bias`.

    Args:
        units: dimensionality of the output and state.
        activation: default tanh (tanh or relu run on torch's fused kernel).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer: as in Keras
            (glorot_uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        dropout, recurrent_dropout: fractions of the inputs / state dropped in training.
        seed: seed of the dropout masks.

    Example:
        >>> cell = SimpleRNNCell(4)
        >>> output, [state] = cell(torch.ones(2, 3), [torch.zeros(2, 4)])
        >>> bool((output == state).all())
        True
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, seed, **kwargs)
        self.activation = activations.get(activation)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape) -> None:
        self._add_kernels((input_shape[-1], self.units), (self.units, self.units))
        self._add_bias((self.units,))

    def project_inputs(self, sequences, training):
        masks = self._input_masks(sequences, training)
        if masks is not None:
            sequences = sequences * masks
        projected = sequences @ self.kernel
        return projected + self.bias if self.bias is not None else projected

    def recurrent_step(self, projected, states, training):
        previous = states[0]
        recurrent_mask = self._recurrent_masks(previous, training)
        if recurrent_mask is not None:
            previous = previous * recurrent_mask
        output = plain(self.activation)(projected + previous @ self.recurrent_kernel)
        return output, [output]

    def fused_kernel(self, training):
        mode = ("rnn_tanh" if is_activation(self.activation, "tanh") else
                "rnn_relu" if is_activation(self.activation, "relu") else None)
        if mode is None or not self._dropout_allows_fusion(training):
            return None
        weights = [self.kernel.T, self.recurrent_kernel.T]
        if self.bias is not None:
            weights += [self.bias, self.bias.new_zeros(self.units)]
        return FusedKernel(mode, weights, self.bias is not None)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), **self._common_config()}


@forward_to_cell("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                 "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                 "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                 "bias_constraint", "dropout", "recurrent_dropout")
class SimpleRNN(RNN):
    """Fully connected RNN whose output is fed back as its state (Keras' SimpleRNN).

    Args:
        units: dimensionality of the output.
        activation ... seed: as in `SimpleRNNCell`.
        activity_regularizer: penalty on the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in `RNN`.

    Example:
        >>> SimpleRNN(4, return_sequences=True)(torch.ones(2, 10, 8)).shape
        torch.Size([2, 10, 4])
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, seed=None,
                 **kwargs):
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias,
                             kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, dropout=dropout,
                             recurrent_dropout=recurrent_dropout, seed=seed,
                             dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                             name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = [InputSpec(ndim=3)]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self) -> dict:
        return self._config_with_cell_arguments(omit=("seed",))  # Keras 3.15 saves no seed here

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)
