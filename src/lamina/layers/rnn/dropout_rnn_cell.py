"""`DropoutRNNCell`: the dropout masks a recurrent cell reuses at every step of one sequence.

Keras draws one mask per sequence (not per step) for the inputs and one for the recurrent
state, so a dropped feature stays dropped for the whole sequence. The RNN layer calls
`reset_dropout_mask()` / `reset_recurrent_dropout_mask()` after each sequence.

Example:
    >>> cell = lamina.layers.SimpleRNNCell(4, dropout=0.5, seed=1)
    >>> mask = cell.get_dropout_mask(torch.ones(2, 3))
    >>> sorted(set(mask.flatten().tolist()))  # dropped, or kept and scaled by 1 / (1 - 0.5)
    [0.0, 2.0]
    >>> cell.get_dropout_mask(torch.ones(2, 3)) is mask
    True
"""
from __future__ import annotations

import torch

__all__ = ["DropoutRNNCell"]


class DropoutRNNCell:
    """Mixin for cells with `dropout`, `recurrent_dropout` and `seed` attributes.

    With a `dropout_mask_count` attribute (LSTM and GRU when `recurrent_dropout` is used),
    each getter returns that many independent masks, one per gate.
    """

    def _create_dropout_mask(self, step_input: torch.Tensor, rate: float):
        count = getattr(self, "dropout_mask_count", None)
        masks = [self._one_dropout_mask(step_input, rate) for _ in range(count or 1)]
        return masks if count is not None else masks[0]

    def _one_dropout_mask(self, step_input: torch.Tensor, rate: float) -> torch.Tensor:
        seed = getattr(self, "seed", None)
        generators = self.__dict__.setdefault("_dropout_generators", {})
        generator = None
        if seed is not None:
            generator = generators.get(step_input.device)
            if generator is None:
                generator = torch.Generator(device=step_input.device).manual_seed(seed)
                generators[step_input.device] = generator
        noise = torch.rand(step_input.shape, device=step_input.device, generator=generator)
        return (noise >= rate).to(step_input.dtype) / (1.0 - rate)

    def get_dropout_mask(self, step_input: torch.Tensor):
        """The input mask(s) of the current sequence, drawn on first use; None without dropout."""
        if self.__dict__.get("_dropout_mask") is None and 0.0 < self.dropout < 1.0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return self.__dict__.get("_dropout_mask")

    def get_recurrent_dropout_mask(self, step_input: torch.Tensor):
        """The recurrent-state mask(s) of the current sequence; None without recurrent dropout."""
        if self.__dict__.get("_recurrent_dropout_mask") is None and 0.0 < self.recurrent_dropout < 1.0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input, self.recurrent_dropout)
        return self.__dict__.get("_recurrent_dropout_mask")

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None
