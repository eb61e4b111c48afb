"""Dot: the batchwise dot product of two tensors along chosen axes."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.layers.merging.base_merge import _MergeBase

__all__ = ["Dot", "dot"]


class Dot(_MergeBase):
    """Batchwise dot product of two tensors along `axes` (cosine similarity if `normalize`).

    For inputs of shapes `(batch, *a)` and `(batch, *b)`, the axis `axes[0]` of the first is
    summed against the axis `axes[1]` of the second; the output holds the remaining axes of
    the first, then those of the second. A result of rank 1 becomes `(batch, 1)`.

    Args:
        axes: an int (the same axis for both inputs) or a pair of ints; negative axes count
            from the end; the batch axis 0 cannot be used.
        normalize: whether to L2-normalize both inputs along the dot axes first, so the
            output is the cosine proximity of the samples.

    Example:
        >>> x = torch.arange(10.0).reshape(1, 5, 2)
        >>> y = torch.arange(10.0, 20.0).reshape(1, 2, 5)
        >>> Dot(axes=(1, 2))([x, y])
        tensor([[[260., 360.],
                 [320., 445.]]])
    """

    _num_inputs = 2

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. "
                                f"Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Invalid format for argument `axes`: list elements should be "
                                 f"integers. Received: axes={axes}")
        self.axes = list(axes) if isinstance(axes, tuple) else axes
        self.normalize = bool(normalize)

    def compute_mask(self, inputs, mask=None):
        """A dot product drops the masked axes, so its output has no mask (as in Keras)."""

    def _positive_axes(self, rank1: int, rank2: int) -> tuple[int, int]:
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        return pair[0] % rank1, pair[1] % rank2

    def call(self, inputs):
        x, y = self._check_inputs(inputs)
        if x.ndim < 2 or y.ndim < 2:
            self.compute_output_shape([tuple(x.shape), tuple(y.shape)])
        axis_x, axis_y = self._positive_axes(x.ndim, y.ndim)
        if axis_x == 0 or axis_y == 0 or x.shape[axis_x] != y.shape[axis_y]:
            self.compute_output_shape([tuple(x.shape), tuple(y.shape)])
        if self.normalize:
            x = F.normalize(x, dim=axis_x, eps=backend.epsilon())
            y = F.normalize(y, dim=axis_y, eps=backend.epsilon())
        return _batch_dot(x, y, axis_x, axis_y)

    def compute_output_shape(self, input_shape):
        shape1, shape2 = self._check_shapes(input_shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"Layer '{self.name}' (Dot) needs inputs of rank 2 or more (a batch "
                             f"axis and a dot axis). Received shapes {shape1} and {shape2}.")
        axis1, axis2 = self._positive_axes(len(shape1), len(shape2))
        if axis1 == 0 or axis2 == 0:
            raise ValueError(f"Layer '{self.name}' (Dot) cannot take the dot product over axis 0, "
                             f"the batch axis (axes={self.axes}). If your inputs are not batched, "
                             f"add a batch axis with `keras.ops.expand_dims(x, 0)`.")
        size1, size2 = shape1[axis1], shape2[axis2]
        if size1 is not None and size2 is not None and size1 != size2:
            raise ValueError(f"Incompatible input shapes in layer '{self.name}' (Dot): axis values "
                             f"{size1} (at axis {axis1}) != {size2} (at axis {axis2}). Full input "
                             f"shapes: {shape1}, {shape2}")
        batch = shape1[0] if shape1[0] is not None else shape2[0]
        output = ((batch,) + shape1[1:axis1] + shape1[axis1 + 1:]
                  + shape2[1:axis2] + shape2[axis2 + 1:])
        return output + (1,) if len(output) == 1 else output

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _batch_dot(x: torch.Tensor, y: torch.Tensor, axis_x: int, axis_y: int) -> torch.Tensor:
    """Sums `x`'s axis `axis_x` against `y`'s axis `axis_y`, sample by sample.

    One batched matmul: `x` becomes (batch, rest_x, k), `y` becomes (batch, k, rest_y).
    """
    x = x.movedim(axis_x, -1)
    y = y.movedim(axis_y, 1)
    rest_x, rest_y = x.shape[1:-1], y.shape[2:]
    product = torch.bmm(x.reshape(x.shape[0], -1, x.shape[-1]),
                        y.reshape(y.shape[0], y.shape[1], -1))
    output = product.reshape(x.shape[:1] + rest_x + rest_y)
    return output.unsqueeze(-1) if output.ndim == 1 else output


def dot(inputs, axes=-1, normalize: bool = False, **kwargs):
    """Functional form of `Dot`: the batchwise dot product of two tensors along `axes`.

    Args:
        inputs: a list of 2 tensors.
        axes: an int or a pair of ints (default -1, the last axis of both).
        normalize: whether to return the cosine proximity instead.
        **kwargs: layer arguments such as `name`.

    Returns:
        The dot products, of shape `(batch, 1)` for two batches of vectors.

    Example:
        >>> dot([torch.ones(2, 3), torch.ones(2, 3)], axes=1)
        tensor([[3.],
                [3.]])
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
