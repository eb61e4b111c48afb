"""`HeadProjection`: the dense projections inside `MultiHeadAttention` (Keras' EinsumDense ones).

Keras builds its query, key, value and output projections as `EinsumDense` layers whose
kernels keep the head axes apart: query `(dim, num_heads, key_dim)`, output
`(num_heads, value_dim, *output_shape)`. This layer holds the same weights (names, shapes,
initialization fans) and computes the projection as one `F.linear` over the flattened axes.

Example:
    >>> projection = HeadProjection(bound_dims=1, output_dims=(2, 16), name="query")
    >>> projection(torch.zeros(4, 10, 32)).shape
    torch.Size([4, 10, 2, 16])
    >>> tuple(projection.kernel.shape), tuple(projection.bias.shape)
    ((32, 2, 16), (2, 16))
"""
from __future__ import annotations

import inspect
import math

import torch.nn.functional as F

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.layer import Layer
from lamina.utils import naming

__all__ = ["HeadProjection", "QueryValueKeyLayer", "reserve_keras_sublayer_names"]


class QueryValueKeyLayer(Layer):
    """An attention layer built from the shapes of its `query`, `value` and `key` arguments
    (`build(query_shape, value_shape, key_shape=None)`), recorded as Keras' `shapes_dict`."""

    def build_from_call_arguments(self, args, kwargs) -> None:
        # Tensor arguments besides query/value/key (masks) do not take part in building.
        if self.built:
            return
        bound = inspect.signature(self.call).bind(*args, **kwargs).arguments
        shapes = {f"{name}_shape": tuple(bound[name].shape) for name in ("query", "value", "key")
                  if bound.get(name) is not None}
        self.build(**shapes)
        self._build_shapes = shapes

    def get_build_config(self) -> dict | None:
        if not isinstance(self._build_shapes, dict):
            return None
        return {"shapes_dict": {k: list(v) for k, v in self._build_shapes.items()}}

    def build_from_config(self, config: dict) -> None:
        if config and "shapes_dict" in config and not self.built:
            shapes = {k: tuple(v) for k, v in config["shapes_dict"].items()}
            self.build(**shapes)
            self._build_shapes = shapes


def reserve_keras_sublayer_names() -> None:
    """Takes the automatic names of the Softmax and Dropout sublayers that Keras' attention
    layers create in `build`. lamina computes both inline; taking their names keeps the
    user's next layers named as in Keras ('dropout_1' after one attention layer)."""
    naming.unique_name("softmax")
    naming.unique_name("dropout")


class HeadProjection(Layer):
    """Contracts the last `bound_dims` axes of its input with a kernel into `output_dims` axes.

    Args:
        bound_dims: how many trailing input axes the kernel contracts (1 for the query, key
            and value projections; 2 (heads, value_dim) for the output projection).
        output_dims: the trailing axes of the output, e.g. `(num_heads, key_dim)`.
        use_bias: whether to add a bias shaped `output_dims`.
        activation: applied to the output (the gate projection uses sigmoid).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as in Dense.
    """

    def __init__(self, bound_dims: int, output_dims, use_bias: bool = True, activation=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.bound_dims = int(bound_dims)
        self.output_dims = tuple(int(d) for d in output_dims)
        self.use_bias = use_bias
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        if isinstance(self.kernel_initializer, initializers.VarianceScaling):
            # Keras' EinsumDense fans: the contracted axes in, the output axes out.
            rank = self.bound_dims + len(self.output_dims)
            self.kernel_initializer = self.kernel_initializer.with_fan_axes(
                range(self.bound_dims), range(self.bound_dims, rank))
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        input_dims = tuple(input_shape[-self.bound_dims:])
        if any(d is None for d in input_dims):
            raise ValueError(f"Layer '{self.name}' needs known sizes for its last "
                             f"{self.bound_dims} input axes, but received input shape "
                             f"{tuple(input_shape)}.")
        self.kernel = self.add_weight(shape=input_dims + self.output_dims, name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=self.output_dims, name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        leading = inputs.shape[:inputs.dim() - self.bound_dims]
        in_size = math.prod(self.kernel.shape[:self.bound_dims])
        out_size = math.prod(self.output_dims)
        # One matmul over the flattened axes; the reshapes of the contiguous kernel are views.
        kernel = self.kernel.reshape(in_size, out_size).T
        bias = None if self.bias is None else self.bias.reshape(out_size)
        outputs = F.linear(inputs.reshape(*leading, in_size), kernel, bias)
        outputs = outputs.reshape(*leading, *self.output_dims)
        # Read at call time, as Keras does: `layer.activation = None` (Grad-CAM) is linear.
        activation = self.activation
        if activation is None or activation is activations.linear:
            return outputs
        return activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:len(input_shape) - self.bound_dims]) + self.output_dims
