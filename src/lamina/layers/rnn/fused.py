"""PyTorch's fused recurrent kernels (cuDNN on CUDA, ATen/oneDNN on CPU) with Keras' masking.

A cell whose configuration a torch kernel computes exactly (default activations, no
recurrent dropout in training) describes itself as a `FusedKernel`: the kernel's name and its
weights converted from Keras' layout and gate order. `run_fused` runs the whole sequence in one
call.

Masks: Keras skips a masked step (the state is carried through unchanged and the step's output
repeats the previous one). That equals running the kernel on the valid steps only, so
`run_fused` moves each sequence's valid steps to the front (a stable partition computed from
running counts of the mask, then a gather), runs the kernel over the full length, and gathers every output back from the last
valid step at or before it. This handles right-, left- (`pad_sequences`' default 'pre') and
holed padding alike, with no host synchronisation, and exports to ONNX (cumsum, scatter and
gather; ONNX has no stable sort). The kernel's final carry is not taken at
each sequence's own length, so an LSTM that must return its cell state under a mask uses the
step loop instead (`final_carry_available`).

Example:
    >>> kernel = FusedKernel("rnn_tanh", [torch.eye(2), torch.zeros(2, 2)], has_biases=False)
    >>> x = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]])
    >>> last, _, _ = run_fused(kernel, x, [torch.zeros(1, 2)], mask=torch.tensor([[True, False]]))
    >>> last  # the masked second step repeats the first step's output, tanh([1, 0])
    tensor([[0.7616, 0.0000]])
"""
from __future__ import annotations

from typing import NamedTuple

import torch

__all__ = ["FusedKernel", "final_carry_available", "run_fused", "valid_steps_first"]

_KERNELS = {"lstm": torch.lstm, "gru": torch.gru, "rnn_tanh": torch.rnn_tanh, "rnn_relu": torch.rnn_relu}


class FusedKernel(NamedTuple):
    """A torch recurrent kernel and its weights, in torch's layout and gate order.

    Attributes:
        mode: 'lstm', 'gru', 'rnn_tanh' or 'rnn_relu'.
        weights: `[weight_ih, weight_hh]`, plus `[bias_ih, bias_hh]` when `has_biases`.
        has_biases: whether the biases are included.
    """

    mode: str
    weights: list
    has_biases: bool


def final_carry_available(kernel: FusedKernel, mask) -> bool:
    """Whether `run_fused` returns every final state exactly (an LSTM carry under a mask: no)."""
    return mask is None or kernel.mode != "lstm"


def run_fused(kernel: FusedKernel, sequences: torch.Tensor, states: list, mask=None,
              zero_output_for_mask: bool = False, return_sequences: bool = True):
    """Runs `kernel` over `sequences` (batch, time, features) from `states` ([h] or [h, c]).

    Args:
        kernel: the `FusedKernel` of a cell.
        sequences: the inputs, already reversed for `go_backwards`.
        states: initial states, each (batch, units).
        mask: None or a boolean (batch, time) tensor; False marks a step to skip.
        zero_output_for_mask: masked steps output zeros instead of the previous output.
        return_sequences: whether the caller needs the whole output sequence.

    Returns:
        `(last_output, outputs, final_states)` as Keras' `backend.rnn` returns them (`outputs`
        is None when `return_sequences` is False); an LSTM's final carry is None under a mask.
    """
    function = _KERNELS[kernel.mode]
    weights = _one_buffer(kernel.weights) if sequences.is_cuda else kernel.weights
    hidden = [s.unsqueeze(0).contiguous() for s in states]
    hx = hidden if kernel.mode == "lstm" else hidden[0]
    # `train` matters only for cuDNN, which keeps what backward needs only in training mode.
    train = torch.is_grad_enabled()
    if mask is None:
        outputs, *final = function(sequences, hx, weights, kernel.has_biases, 1, 0.0, train,
                                   False, True)
        return outputs[:, -1], (outputs if return_sequences else None), [f[0] for f in final]
    order = valid_steps_first(mask)
    valid_first = sequences.gather(1, order.unsqueeze(-1).expand_as(sequences))
    compact, *final = function(valid_first, hx, weights, kernel.has_biases, 1, 0.0, train,
                               False, True)
    # Position 0 holds the initial output (states[0]), so step t reads position "valid steps
    # up to and including t": its own output, or the last valid one before it.
    with_initial = torch.cat([states[0].unsqueeze(1), compact], dim=1)
    units = with_initial.shape[-1]
    valid_count = mask.sum(dim=1)
    last_valid = with_initial.gather(1, valid_count.view(-1, 1, 1).expand(-1, 1, units))[:, 0]
    final_states = [last_valid] if kernel.mode != "lstm" else [last_valid, None]
    outputs = None
    if return_sequences:
        positions = mask.cumsum(dim=1)
        outputs = with_initial.gather(1, positions.unsqueeze(-1).expand(-1, -1, units))
    last_output = last_valid
    if zero_output_for_mask:
        last_output = torch.where(mask[:, -1:], last_valid, 0.0)
        if outputs is not None:
            outputs = torch.where(mask.unsqueeze(-1), outputs, 0.0)
    return last_output, outputs, final_states


def valid_steps_first(mask: torch.Tensor) -> torch.Tensor:
    """The step each position holds once every row's valid steps come first, in order.

    The stable argsort of `~mask`: a valid step goes to the number of valid steps before it,
    a masked one after all the valid steps, to the number of masked steps before it.

    Example:
        >>> valid_steps_first(torch.tensor([[False, True, False, True]]))
        tensor([[1, 3, 0, 2]])
    """
    valid = mask.to(torch.int64)
    masked = 1 - valid
    destination = torch.where(mask, valid.cumsum(dim=1) - 1,
                              valid.sum(dim=1, keepdim=True) + masked.cumsum(dim=1) - 1)
    steps = torch.arange(mask.shape[1], device=mask.device).expand_as(destination)
    return torch.zeros_like(destination).scatter(1, destination, steps)


def _one_buffer(weights: list) -> list:
    """The weights as views of one contiguous buffer, the layout cuDNN uses without a copy."""
    flat = torch.cat([w.reshape(-1) for w in weights])
    return [chunk.view_as(w) for chunk, w in zip(flat.split([w.numel() for w in weights]), weights)]
