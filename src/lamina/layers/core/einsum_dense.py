"""EinsumDense: a dense layer whose contraction is an einsum equation, `ab,bcd->acd`.

Example:
    >>> layer = EinsumDense("abc,cde->abde", output_shape=(None, 2, 16), bias_axes="de")
    >>> layer(torch.ones(4, 10, 32)).shape
    torch.Size([4, 10, 2, 16])
    >>> tuple(layer.kernel.shape), tuple(layer.bias.shape)
    ((32, 2, 16), (2, 16))
"""
from __future__ import annotations

import re

import torch

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

__all__ = ["EinsumDense"]


class EinsumDense(Layer):
    """A layer computing `activation(einsum(equation, inputs, kernel) + bias)`.

    Args:
        equation: an einsum equation `inputs,kernel->outputs`, e.g. `ab,bc->ac`; the inputs
            and outputs may start (`...ab,bc->...ac`) or end (`ab...,bc->ac...`) with an
            ellipsis standing for any number of axes.
        output_shape: the output shape without the batch axis and the ellipsis axes (an int
            for one axis); None where the size comes from the input.
        activation: activation name or function (default: none, i.e. linear).
        bias_axes: the output axes (letters of the output spec) that get a bias, or None for
            no bias.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros); a
            variance-scaling kernel initializer counts the contracted axes as its fan in and
            the output axes as its fan out, as in Keras.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
        kernel_constraint, bias_constraint: projections applied after each update.

    Example:
        >>> EinsumDense("ab,bc->ac", output_shape=64, bias_axes="c")(torch.ones(2, 32)).shape
        torch.Size([2, 64])
    """

    def __init__(self, equation: str, output_shape, activation=None, bias_axes: str | None = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if lora_rank is not None or quantization_config is not None:
            raise ValueError(f"Layer '{self.name}': LoRA and quantization (lora_rank, "
                             f"quantization_config) are not supported by lamina yet.")
        if not isinstance(equation, str):
            raise TypeError(f"Argument `equation` must be an einsum string such as 'ab,bc->ac'. "
                            f"Received: equation={equation!r}")
        _split_equation(equation)  # refuse a malformed equation now, not at the first call
        self.equation = equation
        self.partial_output_shape = ((output_shape,) if isinstance(output_shape, int)
                                     else tuple(output_shape))
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze_einsum(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        for weight, shape in (("kernel", kernel_shape), ("bias", bias_shape)):
            if shape is not None and any(d is None for d in shape):
                raise ValueError(f"Layer '{self.name}' cannot build a {weight} of shape "
                                 f"{tuple(shape)} for equation '{self.equation}' and input shape "
                                 f"{tuple(input_shape)}: give the sizes of its axes in "
                                 f"`output_shape` (received {self.partial_output_shape}).")
        self.input_spec = InputSpec(ndim=len(input_shape))
        initializer = self.kernel_initializer
        if isinstance(initializer, initializers.VarianceScaling):
            initializer = initializer.with_fan_axes(input_axes, output_axes)
        self.kernel = self.add_weight(shape=kernel_shape, name="kernel", initializer=initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(shape=bias_shape, name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        outputs = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        # Read at call time, as Keras does: `layer.activation = None` (Grad-CAM) is linear.
        activation = self.activation
        if activation is None or activation is activations.linear:
            return outputs
        return activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(analyze_einsum(self.equation, self.bias_axes, input_shape,
                                    self.partial_output_shape)[2])

    def get_config(self) -> dict:
        return {**super().get_config(),
                "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(activations.get(self.activation)),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None}


def _split_equation(equation: str):
    """(input spec, kernel spec, output spec, where the ellipsis is: None, 'left', 'right')."""
    plain = equation.replace("...", "0")
    for pattern, elided in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", None),
                            ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", "left"),
                            ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", "right")):
        match = re.fullmatch(pattern, plain)
        if match:
            return (*match.groups(), elided)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     f"[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def analyze_einsum(equation: str, bias_axes: str | None, input_shape, output_shape):
    """The shapes an EinsumDense builds, by Keras' rules.

    Args:
        equation: the layer's equation.
        bias_axes: the output letters that get a bias, or None.
        input_shape: the full input shape, batch axis included.
        output_shape: the layer's partial output shape (no batch axis, no ellipsis axes).

    Returns:
        `(kernel_shape, bias_shape or None, full output shape, kernel input axes, kernel
        output axes)`; the last two are the kernel's fan-in and fan-out axes.

    Raises:
        ValueError: the equation, the shapes and the bias axes do not fit together.
    """
    input_spec, weight_spec, output_spec, elided_side = _split_equation(equation)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(input_spec)
    full_output = [input_shape[0], *((output_shape,) if isinstance(output_shape, int)
                                     else output_shape)]
    if elided > 0 and elided_side == "left":
        # In order (Keras 3.15 reverses two or more of these axes in its symbolic shape).
        full_output[1:1] = input_shape[1:elided]
    elif elided > 0:
        full_output += input_shape[len(input_shape) - elided:]
    if elided_side == "left":
        input_index = {dim: i + elided - len(input_shape) for i, dim in enumerate(input_spec)}
        output_index = {dim: i + elided for i, dim in enumerate(output_spec)}
    else:
        input_index = {dim: i for i, dim in enumerate(input_spec)}
        output_index = {dim: i for i, dim in enumerate(output_spec)}

    for dim in input_spec:
        if dim in output_index:
            expected = full_output[output_index[dim]]
            received = input_shape[input_index[dim]]
            if expected is not None and expected != received:
                raise ValueError(f"Input shape and output shape do not match at shared dimension "
                                 f"'{dim}'. Input shape is {received}, and output shape is "
                                 f"{expected}.")
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(f"Dimension '{dim}' was specified in the output '{output_spec}' but "
                             f"has no corresponding dim in the input spec '{input_spec}' or "
                             f"weight spec '{weight_spec}'")

    kernel_shape, input_axes, output_axes = [], [], []
    for axis, dim in enumerate(weight_spec):
        if dim in output_index:
            kernel_shape.append(full_output[output_index[dim]])
            output_axes.append(axis)
        elif dim in input_index:
            kernel_shape.append(input_shape[input_index[dim]])
            input_axes.append(axis)
        else:
            raise ValueError(f"Weight dimension '{dim}' did not have a match in either the input "
                             f"spec '{input_spec}' or the output spec '{output_spec}'. For this "
                             f"layer, the weight must be fully specified.")

    bias_shape = None
    if bias_axes is not None:
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(f"Bias dimension '{char}' was requested, but is not part of the "
                                 f"output spec '{output_spec}'")
        offset = elided if elided_side == "left" else 0
        sizes = {char: full_output[i + offset] for i, char in enumerate(output_spec)}
        # The bias spans from its first axis to the end of the output (size 1 where it has
        # none), so it broadcasts over the axes before it and the elided ones after it.
        first = min(output_spec.index(char) for char in bias_axes)
        bias_shape = [sizes[char] if char in bias_axes else 1 for char in output_spec[first:]]
        if elided_side != "left":
            bias_shape += [1] * max(elided, 0)
    return kernel_shape, bias_shape, full_output, input_axes, output_axes
