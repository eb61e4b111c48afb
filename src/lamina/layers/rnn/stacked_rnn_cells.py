"""StackedRNNCells: several cells run as one, each feeding its output to the next at every step.

Example:
    >>> cells = [lamina.layers.LSTMCell(4), lamina.layers.GRUCell(3)]
    >>> lamina.layers.RNN(cells)(torch.ones(2, 5, 8)).shape
    torch.Size([2, 3])
"""
from __future__ import annotations

import torch

from lamina.layers.layer import Layer

__all__ = ["StackedRNNCells"]


class StackedRNNCells(Layer):
    """Wrapper that makes a stack of cells behave as a single cell.

    Args:
        cells: a list of cells; the states are a list with one entry per cell.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"All cells must have a `call` method. Received cell without a "
                                 f"`call` method: {cell!r}")
            if not hasattr(cell, "state_size"):
                raise ValueError(f"All cells must have a `state_size` attribute. Received cell "
                                 f"without a `state_size`: {cell!r}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        return last.state_size[0] if isinstance(last.state_size, (list, tuple)) else last.state_size

    def get_initial_state(self, batch_size=None) -> list:
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                states.append(list(cell.get_initial_state(batch_size=batch_size)))
            elif isinstance(cell.state_size, int):
                states.append(torch.zeros((batch_size, cell.state_size), dtype=self._dtype,
                                          device=self._device()))
            else:
                states.append([torch.zeros((batch_size, size), dtype=self._dtype, device=self._device())
                               for size in cell.state_size])
        return states

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            is_list = isinstance(cell_states, (list, tuple))
            inputs, cell_states = cell(inputs, list(cell_states) if is_list else [cell_states],
                                       training=training)
            cell_states = list(cell_states) if isinstance(cell_states, (list, tuple)) else [cell_states]
            new_states.append(cell_states if is_list or len(cell_states) > 1 else cell_states[0])
        return inputs, new_states

    def build(self, input_shape) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build_from_shape(input_shape)
            output_dim = getattr(cell, "output_size", None)
            if output_dim is None:
                size = cell.state_size
                output_dim = size[0] if isinstance(size, (list, tuple)) else size
            input_shape = (input_shape[0], output_dim)

    def get_config(self) -> dict:
        from lamina.saving.serialization_lib import serialize_keras_object

        return {**super().get_config(), "cells": [serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from lamina.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
