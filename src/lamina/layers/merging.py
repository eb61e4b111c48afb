"""Layers that merge a list of inputs: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum."""
from __future__ import annotations

import functools

import torch

from lamina.layers.base import Layer

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "concatenate", "add", "subtract", "multiply", "average", "maximum", "minimum"]


class _Merge(Layer):
    """Base of the elementwise merges: `merge(list_of_tensors)` of equal shapes."""

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"Layer '{self.name}' should be called on a list of at least 2 inputs, "
                             f"but received {type(inputs).__name__}.")
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])


class Add(_Merge):
    """Sums a list of tensors of the same shape.

    Example:
        >>> Add()([torch.ones(2), torch.ones(2)])
        tensor([2., 2.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.add, inputs)


class Subtract(_Merge):
    """Subtracts the second of two tensors from the first."""

    def _merge(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"Layer '{self.name}' (Subtract) takes exactly 2 inputs, "
                             f"received {len(inputs)}.")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Multiplies a list of tensors elementwise."""

    def _merge(self, inputs):
        return functools.reduce(torch.mul, inputs)


class Average(_Merge):
    """Averages a list of tensors elementwise."""

    def _merge(self, inputs):
        return functools.reduce(torch.add, inputs) / len(inputs)


class Maximum(_Merge):
    """Elementwise maximum of a list of tensors."""

    def _merge(self, inputs):
        return functools.reduce(torch.maximum, inputs)


class Minimum(_Merge):
    """Elementwise minimum of a list of tensors."""

    def _merge(self, inputs):
        return functools.reduce(torch.minimum, inputs)


class Concatenate(Layer):
    """Concatenates a list of tensors along `axis` (default: the last).

    Example:
        >>> Concatenate()([torch.ones(2, 3), torch.ones(2, 5)]).shape
        torch.Size([2, 8])
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        try:
            return torch.cat(list(inputs), dim=self.axis)
        except RuntimeError:
            shapes = [tuple(x.shape) for x in inputs]
            raise ValueError(f"Layer '{self.name}' requires inputs with matching shapes except for "
                             f"the concatenation axis {self.axis}. Received: input_shape={shapes}") from None

    def compute_output_shape(self, input_shape):
        output = list(input_shape[0])
        sizes = [s[self.axis] for s in input_shape]
        output[self.axis] = None if any(s is None for s in sizes) else sum(sizes)
        return tuple(output)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def _functional(layer_class):
    def merge(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)

    merge.__name__ = layer_class.__name__.lower()
    merge.__doc__ = f"Functional form of `{layer_class.__name__}`: `{merge.__name__}([a, b])`."
    return merge


add = _functional(Add)
subtract = _functional(Subtract)
multiply = _functional(Multiply)
average = _functional(Average)
maximum = _functional(Maximum)
minimum = _functional(Minimum)
concatenate = _functional(Concatenate)
