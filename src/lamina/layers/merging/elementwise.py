"""Layers that merge a list of inputs: Concatenate, Dot, Add, Subtract, Multiply, Average, ...

Shapes are checked when the layer is called on symbolic inputs (`compute_output_shape`), so a
mismatch is reported while the model is built, naming the layer and the shapes, instead of as
a raw PyTorch error in the middle of `fit`.

Example:
    >>> a, b = lamina.Input(shape=(3,)), lamina.Input(shape=(3,))
    >>> lamina.layers.Add()([a, b]).shape
    (None, 3)
"""
from __future__ import annotations

import functools

import torch

from lamina.layers.merging.base_merge import _Merge, functional_form

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "add", "subtract", "multiply", "average", "maximum", "minimum"]


class Add(_Merge):
    """Sums a list of tensors of the same shape.

    Example:
        >>> Add()([torch.ones(2), torch.ones(2)])
        tensor([2., 2.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.add, inputs)


class Subtract(_Merge):
    """Subtracts the second of two tensors from the first.

    Example:
        >>> Subtract()([torch.ones(2), torch.ones(2)])
        tensor([0., 0.])
    """

    _num_inputs = 2

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Multiplies a list of tensors elementwise.

    Example:
        >>> Multiply()([torch.full((2,), 2.0), torch.full((2,), 3.0)])
        tensor([6., 6.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.mul, inputs)


class Average(_Merge):
    """Averages a list of tensors elementwise.

    Example:
        >>> Average()([torch.zeros(2), torch.full((2,), 4.0)])
        tensor([2., 2.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.add, inputs) / len(inputs)


class Maximum(_Merge):
    """Elementwise maximum of a list of tensors.

    Example:
        >>> Maximum()([torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])])
        tensor([3., 5.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.maximum, inputs)


class Minimum(_Merge):
    """Elementwise minimum of a list of tensors.

    Example:
        >>> Minimum()([torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])])
        tensor([1., 2.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.minimum, inputs)


add = functional_form(Add, "add([a, b])")
subtract = functional_form(Subtract, "subtract([a, b])")
multiply = functional_form(Multiply, "multiply([a, b])")
average = functional_form(Average, "average([a, b])")
maximum = functional_form(Maximum, "maximum([a, b])")
minimum = functional_form(Minimum, "minimum([a, b])")
