"""RNN: runs a cell over the time axis of `(batch, timesteps, features)` sequences.

Two ways to run, with the same numbers: PyTorch's fused kernel for the whole sequence when
the cell allows it (see `fused.py`), else a step loop. The loop skips masked steps as Keras
does: a masked step keeps the previous states and outputs the previous output (zeros with
`zero_output_for_mask=True`).

Example:
    >>> layer = RNN(lamina.layers.LSTMCell(4), return_sequences=True, return_state=True)
    >>> outputs, h, c = layer(torch.ones(2, 5, 3))
    >>> outputs.shape, h.shape, c.shape
    (torch.Size([2, 5, 4]), torch.Size([2, 4]), torch.Size([2, 4]))
"""
from __future__ import annotations

import torch
from torch.utils import _pytree as pytree

from lamina import backend, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from lamina.layers.rnn.fused import final_carry_available, run_fused
from lamina.layers.rnn.recurrent_cell import RecurrentCell
from lamina.layers.rnn.stacked_rnn_cells import StackedRNNCells

__all__ = ["RNN", "forward_to_cell"]


class RNN(Layer):
    """Base class of recurrent layers: applies `cell` at every timestep.

    Args:
        cell: a cell (a layer with `call(inputs, states)` returning `(output, new_states)` and
            a `state_size`), or a list of cells, stacked.
        return_sequences: return the whole output sequence instead of the last output.
        return_state: also return the final states.
        go_backwards: process the sequence backwards (and return the reversed sequence).
        stateful: the final states of a batch are the initial states of the next one.
        unroll: accepted for Keras; in PyTorch a step loop is already unrolled, so this only
            rules out the fused kernel.
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments:
        sequences: a `(batch, timesteps, ...)` tensor.
        initial_state: a tensor or list of tensors, one per state.
        mask: a boolean `(batch, timesteps)` tensor; False marks a step to skip.
        training: passed to the cell (dropout).

    Example:
        >>> class MinimalRNNCell(lamina.layers.Layer):
        ...     def __init__(self, units, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.units, self.state_size = units, units
        ...     def build(self, input_shape):
        ...         self.kernel = self.add_weight(shape=(input_shape[-1], self.units))
        ...         self.recurrent_kernel = self.add_weight(shape=(self.units, self.units))
        ...     def call(self, inputs, states):
        ...         output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        ...         return output, [output]
        >>> RNN(MinimalRNNCell(32))(torch.ones(8, 10, 5)).shape
        torch.Size([8, 32])
    """

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call"):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell!r}")
        if not hasattr(cell, "state_size"):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer or "
                             "list of integers, one integer per RNN state). "
                             f"Received: cell={cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers (one for "
                             f"each state tensor). Received: state_size={state_size!r}")
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)
        self._state_buffers: list[str] = []
        self._state_structure = None

    # ------------------------------------------------------------------ build and states
    def build(self, sequences_shape, initial_state_shape=None) -> None:
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build_from_shape(step_shape)
        features = sequences_shape[-1]
        if len(sequences_shape) == 3 and features is not None and self.input_spec is not None:
            # The weights now fix the features per step: a later call with others fails here,
            # not silently in the fused kernel.
            self.input_spec = InputSpec(min_ndim=3, axes={-1: int(features)})
        if self.stateful and not self._state_buffers:
            if sequences_shape[0] is None:
                raise ValueError(
                    f"When using `stateful=True` in a RNN, the batch size must be static. Found "
                    f"dynamic batch size: sequence.shape={tuple(sequences_shape)}. Give the batch "
                    f"size with `Input(batch_shape=(32, ...))` or `batch_input_shape=` on the first "
                    f"layer, and pass the same `batch_size` to fit/predict.")
            self._create_state_buffers(int(sequences_shape[0]))

    def _create_state_buffers(self, batch_size: int) -> None:
        initial = _as_lists(self.get_initial_state(batch_size))
        leaves, self._state_structure = pytree.tree_flatten(initial)
        for index, value in enumerate(leaves):
            name = f"rnn_state_{index}"
            # Not a weight (Keras does not track it) and not saved; a buffer so `.to()` moves it.
            self.register_buffer(name, value.detach().clone(), persistent=False)
            self._state_buffers.append(name)

    @property
    def states(self):
        """The stored states of a stateful layer (None otherwise)."""
        if not self._state_buffers:
            return None
        return [getattr(self, name) for name in self._state_buffers]

    def reset_state(self, states=None) -> None:
        """Zeroes the stored states of a stateful layer, or sets them to `states` (arrays)."""
        if not self._state_buffers:
            return
        values = [None] * len(self._state_buffers) if states is None else _flat_list(states)
        if len(values) != len(self._state_buffers):
            raise ValueError(f"Layer '{self.name}' has {len(self._state_buffers)} states, but "
                             f"reset_state received {len(values)} values.")
        with torch.no_grad():
            for buffer, value in zip(self.states, values):
                if value is None:
                    buffer.zero_()
                else:
                    buffer.copy_(backend.to_tensor(value, dtype=buffer.dtype, device=buffer.device))

    reset_states = reset_state

    def get_initial_state(self, batch_size: int) -> list:
        """Zero states for `batch_size` sequences (from the cell's `get_initial_state` if any)."""
        get_initial_state = getattr(self.cell, "get_initial_state", None)
        if get_initial_state is not None:
            states = get_initial_state(batch_size=batch_size)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        device = self.cell._device() if isinstance(self.cell, Layer) else backend.get_device()
        return [torch.zeros((batch_size, size), dtype=self._dtype, device=device)
                for size in self.state_size]

    # ------------------------------------------------------------------ call
    def call(self, sequences, initial_state=None, mask=None, training=False):
        states = self._initial_states(sequences, initial_state)
        mask = self._standardize_mask(mask, sequences)
        if self.go_backwards:
            sequences = sequences.flip(1)
            mask = None if mask is None else mask.flip(1)
        try:
            last_output, outputs, states = self._run(sequences, states, mask, bool(training))
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            with torch.no_grad():
                for buffer, value in zip(self.states, pytree.tree_leaves(states)):
                    buffer.copy_(value.detach())
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output, *pytree.tree_leaves(states))
        return output

    def _run(self, sequences, states, mask, training: bool):
        kernel = self._fused_kernel(sequences, mask, training)
        if kernel is None and getattr(self, "use_cudnn", "auto") is True:
            raise ValueError(
                "use_cudnn=True was specified, but the fused kernel does not support this layer "
                "configuration: it needs the default activations, no recurrent_dropout in "
                "training, unroll=False, reset_after=True for a GRU, and no mask for an LSTM that "
                "returns its final carry (return_state or stateful). Pass use_cudnn='auto' to "
                "fall back to the step loop.")
        if kernel is not None:
            return run_fused(kernel, self.cell.fused_inputs(sequences, training), states, mask,
                             self.zero_output_for_mask, self.return_sequences)
        return self._step_loop(sequences, states, mask, training)

    def _fused_kernel(self, sequences, mask, training: bool):
        # The fused kernel is a choice of speed only; LSTM/GRU's use_cudnn=False turns it off.
        if (self.unroll or getattr(self, "use_cudnn", "auto") is False or sequences.ndim != 3
                or not _is_plain_builtin(self.cell)):
            return None
        kernel = self.cell.fused_kernel(training)
        needs_carry = self.return_state or self.stateful
        if kernel is None or (needs_carry and not final_carry_available(kernel, mask)):
            return None
        return kernel

    def _step_loop(self, sequences, states, mask, training: bool):
        step = self._step_function(sequences, training)
        steps = sequences.shape[1]
        step_masks = None if mask is None else mask.unbind(1)
        outputs = []
        for t in range(steps):
            output, new_states = step(t, states)
            if mask is not None:
                keep = step_masks[t]
                previous = (torch.zeros_like(output) if self.zero_output_for_mask
                            else _first_state(states))
                output = _where(keep, output, previous)
                new_states = pytree.tree_map(lambda new, old: _where(keep, new, old), new_states, states)
            states = new_states
            if self.return_sequences or t == steps - 1:
                outputs.append(output)
        sequence = torch.stack(outputs, dim=1) if self.return_sequences else None
        return outputs[-1], sequence, states

    def _step_function(self, sequences, training: bool):
        cell = self.cell
        # unbind, not x[:, t]: the backward of T slices would build T full-size gradients.
        if isinstance(cell, RecurrentCell) and type(cell).call is RecurrentCell.call:
            # One projection of all timesteps' inputs; the loop only does the recurrent part.
            projected = cell.project_inputs(sequences, training).unbind(1)
            return lambda t, states: cell.recurrent_step(projected[t], states, training)
        inputs = sequences.unbind(1)

        def step(t, states):
            if isinstance(cell, Layer):
                output, new_states = cell(inputs[t], states, training=training)
            else:
                output, new_states = (cell if callable(cell) else cell.call)(inputs[t], states)
            new_states = _as_lists(new_states)
            return output, (new_states if isinstance(new_states, list) else [new_states])

        return step

    def _initial_states(self, sequences, initial_state) -> list:
        if initial_state is None:
            if self.stateful:
                self._check_stateful_batch(sequences)
                # A copy: the buffers are overwritten after the call, autograd keeps the inputs.
                states = [buffer.clone() for buffer in self.states]
                return pytree.tree_unflatten(states, self._state_structure)
            return _as_lists(self.get_initial_state(sequences.shape[0]))
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        states = _as_lists(list(initial_state))
        expected = len(pytree.tree_leaves(_as_lists(self.get_initial_state(1))))
        given = len(pytree.tree_leaves(states))
        if given != expected:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) expects {expected} initial "
                             f"state tensor(s) (state_size={self.cell.state_size}), but received "
                             f"{given}. An LSTM takes `initial_state=[h, c]`; GRU and SimpleRNN take "
                             f"one tensor.")
        states = pytree.tree_map(lambda s: backend.to_tensor(s, dtype=sequences.dtype,
                                                             device=sequences.device), states)
        self._check_state_shapes(pytree.tree_leaves(states), sequences.shape[0])
        return states

    def _check_state_shapes(self, states: list, batch_size: int) -> None:
        """Each initial state has the shape of the zero state (the layer's `units` wide)."""
        zeros = pytree.tree_leaves(_as_lists(self.get_initial_state(batch_size)))
        for index, (state, zero) in enumerate(zip(states, zeros)):
            if tuple(state.shape) != tuple(zero.shape):
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}) expects initial state {index} "
                    f"of shape {tuple(zero.shape)} (batch, state size {self.cell.state_size}), "
                    f"but received shape {tuple(state.shape)}. An encoder's states seed a "
                    f"decoder only when both have the same number of units (e.g. "
                    f"LSTM(latent_dim) on both sides).")

    def _check_stateful_batch(self, sequences) -> None:
        expected = self.states[0].shape[0]
        if sequences.shape[0] != expected:
            raise ValueError(f"If an RNN is stateful, the batch size of the input sequences must be "
                             f"the same as the batch size of the initial state. \n- Expected batch "
                             f"size: {expected}\n- Received batch size: {sequences.shape[0]}\nPass "
                             f"batch_size={expected} to fit/predict and use a number of samples "
                             f"divisible by it.")

    def _standardize_mask(self, mask, sequences):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is None:
            return None
        mask = torch.as_tensor(mask, device=sequences.device)
        if tuple(mask.shape[:2]) != tuple(sequences.shape[:2]):
            raise ValueError(f"Layer '{self.name}' received a mask of shape {tuple(mask.shape)} for "
                             f"inputs of shape {tuple(sequences.shape)}; the mask must be "
                             f"(batch, timesteps) = {tuple(sequences.shape[:2])}.")
        mask = mask.bool()
        return mask.reshape(mask.shape[0], mask.shape[1], -1).any(-1) if mask.ndim > 2 else mask

    # ------------------------------------------------------------------ shapes, masks, config
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch_size, length = sequences_shape[0], sequences_shape[1]
        output_size = getattr(self.cell, "output_size", None)
        if output_size is None:
            output_size = pytree.tree_leaves(self.state_size)[0]
        if not isinstance(output_size, int):
            raise ValueError("output_size must be an integer.")
        output_shape = ((batch_size, length, output_size) if self.return_sequences
                        else (batch_size, output_size))
        if self.return_state:
            return (output_shape, *[(batch_size, size) for size in pytree.tree_leaves(self.state_size)])
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(pytree.tree_leaves(self.state_size))
        return output_mask

    def _input_spec_hint(self, index, shape) -> str:
        name = type(self).__name__
        article = "an" if name[0] in "AEILMNORSX" and name != "SimpleRNN" else "a"
        if len(shape) == 2:
            steps = shape[1] if shape[1] is not None else "timesteps"
            return (f". {article.capitalize()} {name} needs (batch, timesteps, features); for one "
                    f"feature per step use `x[..., None]` or `Reshape(({steps}, 1))`. Stacked on "
                    f"another recurrent layer, give that one return_sequences=True (e.g. "
                    f"`LSTM(64, return_sequences=True)`) so it passes on the whole sequence.")
        if len(shape) == 4 and None not in shape[1:]:
            return (f". {article.capitalize()} {name} needs (batch, timesteps, features); to read "
                    f"images row by row, merge the last two axes: "
                    f"`Reshape(({shape[1]}, {shape[2] * shape[3]}))`.")
        return ""

    def get_config(self) -> dict:
        from lamina.saving.serialization_lib import serialize_keras_object

        return {**super().get_config(),
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                "stateful": self.stateful,
                "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialize_keras_object(self.cell)}

    def _config_with_cell_arguments(self, omit=()) -> dict:
        """The config of LSTM, GRU, SimpleRNN, ConvLSTM2D: the RNN flags and the cell's arguments."""
        config = RNN.get_config(self)
        del config["cell"]
        arguments = {key: value for key, value in self.cell.get_config().items()
                     if key not in ("name", "trainable", "dtype", *omit)}
        return {**config, **arguments,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from lamina.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


def forward_to_cell(*names):
    """Class decorator: read-only properties returning the cell's attributes (`layer.units`)."""
    def decorate(cls):
        for name in names:
            setattr(cls, name, property(lambda self, name=name: getattr(self.cell, name),
                                        doc=f"The cell's `{name}`."))
        return cls

    return decorate


def _is_plain_builtin(cell) -> bool:
    """A built-in cell whose step a subclass has not redefined (a fused kernel would skip it)."""
    if not isinstance(cell, RecurrentCell):
        return False
    owner = next(k for k in type(cell).__mro__ if "fused_kernel" in vars(k))
    return all(getattr(type(cell), name) is getattr(owner, name)
               for name in ("call", "project_inputs", "recurrent_step"))


def _reset_dropout_masks(cell) -> None:
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for inner in getattr(cell, "cells", []):
        _reset_dropout_masks(inner)


def _first_state(states):
    """The output a masked step repeats: the first state (the last cell's, when stacked)."""
    first = states[0]
    return states[-1][0] if isinstance(first, list) else first


def _where(keep, new, old):
    return torch.where(keep.view(-1, *([1] * (new.ndim - 1))), new, old)


def _as_lists(structure):
    """Tuples become lists all the way down, so state structures compare equal in tree_map."""
    if isinstance(structure, (list, tuple)):
        return [_as_lists(item) for item in structure]
    return structure


def _flat_list(values) -> list:
    if not isinstance(values, (list, tuple)):
        return [values]
    return [value for item in values for value in _flat_list(item)]
