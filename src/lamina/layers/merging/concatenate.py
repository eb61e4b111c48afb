"""Concatenate: joins a list of tensors along one axis."""
from __future__ import annotations

import torch

from lamina import ops
from lamina.layers.merging.base_merge import _MergeBase, functional_form

__all__ = ["Concatenate", "concatenate"]


class Concatenate(_MergeBase):
    """Concatenates a list of tensors along `axis` (default: the last).

    All inputs must have the same shape except along `axis`.

    Args:
        axis: the axis to concatenate along.

    Example:
        >>> Concatenate()([torch.ones(2, 3), torch.ones(2, 5)]).shape
        torch.Size([2, 8])
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        inputs = self._check_inputs(inputs)
        try:
            return torch.cat(inputs, dim=self.axis)
        except (RuntimeError, IndexError):
            self.compute_output_shape([tuple(x.shape) for x in inputs])
            raise

    def compute_output_shape(self, input_shape):
        shapes = self._check_shapes(input_shape)
        message = (f"A `Concatenate` layer requires inputs with matching shapes except for the "
                   f"concatenation axis. Layer '{self.name}' (axis={self.axis}) received: "
                   f"input_shape={shapes}")
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise ValueError(message + " (the inputs differ in rank).")
        if not -rank <= self.axis < rank:
            raise ValueError(f"Layer '{self.name}' (Concatenate) got axis={self.axis}, which is "
                             f"out of range for inputs of rank {rank}: input_shape={shapes}")
        axis = self.axis % rank
        output = []
        for index, sizes in enumerate(zip(*shapes)):
            known = {d for d in sizes if d is not None}
            if index == axis:
                output.append(None if None in sizes else sum(sizes))
            elif len(known) > 1:
                raise ValueError(message + f" (axis {index} differs: {sorted(known)}).")
            else:
                output.append(known.pop() if known else None)
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        """The inputs' masks joined along `axis` (an unmasked input counts as all kept).

        As in Keras, each mask is broadcast to its input's shape, concatenated, then reduced
        with `any` over the last axis.
        """
        masks = self._check_masks(inputs, mask)
        if masks is None or all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:
                full.append(ops.ones_like(x, dtype="bool"))
            elif m.ndim < x.ndim:
                full.append(ops.logical_or(ops.expand_dims(m, axis=-1),
                                           ops.zeros_like(x, dtype="bool")))
            else:
                full.append(m)
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


concatenate = functional_form(Concatenate, "concatenate([a, b], axis=-1)", width=4)
