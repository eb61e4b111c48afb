"""Dense: the densely connected layer, `activation(inputs @ kernel + bias)`."""
from __future__ import annotations

import torch.nn.functional as F

from lamina import activations, constraints, initializers, regularizers
from lamina.dtype_policies.autocast import split_low_precision_bias
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

__all__ = ["Dense"]


class Dense(Layer):
    """A densely connected layer: `activation(inputs @ kernel + bias)` on the last axis.

    Args:
        units: dimensionality of the output.
        activation: activation name or function (default: none, i.e. linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
        kernel_constraint, bias_constraint: projections applied after each update.

    Example:
        >>> layer = Dense(100, activation="relu")
        >>> layer.build((None, 784))
        >>> layer.get_weights()[0].shape
        (784, 100)
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=2)
        if lora_rank is not None or quantization_config is not None:
            raise ValueError(f"Layer '{self.name}': LoRA and quantization (lora_rank, "
                             f"quantization_config) are not supported by lamina yet.")
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            hint = (" A layer is created first, then called on a tensor: "
                    "`layers.Dense(64)(inputs)`." if hasattr(units, "shape") else "")
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units!r}.{hint}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._input_dim = None
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}' needs a known last dimension to build, "
                             f"but received input shape {tuple(input_shape)}.")
        self._input_dim = int(input_dim)
        self.kernel = self.add_weight(shape=(self._input_dim, self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs):
        if inputs.shape[-1] != self._input_dim:
            raise ValueError(_dense_shape_message(self, inputs.shape))
        # kernel is (in, out) as in Keras; its transpose is a free view for F.linear.
        fused_bias, bias = split_low_precision_bias(inputs, self.bias)
        outputs = F.linear(inputs, self.kernel.T, fused_bias)
        if bias is not None:
            outputs = outputs + bias
        # Read at call time, as Keras does: `layer.activation = None` (Grad-CAM) is linear.
        activation = self.activation
        if activation is None or activation is activations.linear:
            return outputs
        return activation(outputs)

    def check_input_compatibility(self, inputs) -> None:
        super().check_input_compatibility(inputs)
        # Keras' input spec after build (axis -1 fixed), so a symbolic call checks it too.
        if self._input_dim is not None and inputs.shape[-1] not in (None, self._input_dim):
            raise ValueError(_dense_shape_message(self, inputs.shape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "units": self.units,
                "activation": activations.serialize(activations.get(self.activation)),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None}


def _dense_shape_message(layer: Dense, shape) -> str:
    shape = tuple(shape)
    message = (f"Layer '{layer.name}' expects inputs with last dimension {layer._input_dim}, "
               f"but received shape {shape}.")
    if len(shape) >= 3 and _product(shape[1:]) == layer._input_dim:
        message += (f" The inputs look like images of shape {shape[1:]}: start the model "
                    f"with `keras.Input(shape={shape[1:]})` and `Flatten()`, or reshape them "
                    f"with `x.reshape(-1, {layer._input_dim})`.")
    return message


def _product(dims) -> int:
    result = 1
    for d in dims:
        result *= int(d)
    return result
