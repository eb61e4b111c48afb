"""Core layers: Dense, Activation, Dropout, and the Input / InputLayer entry point."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import activations, backend, constraints, initializers, regularizers
from lamina.layers.base import Layer
from lamina.layers.keras_tensor import KerasTensor

__all__ = ["Dense", "Activation", "Dropout", "InputLayer", "Input"]


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
        >>> layer = Dense(100, activation="relu", input_shape=(784,))
        >>> layer.get_weights()[0].shape
        (784, 100)
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if lora_rank is not None or quantization_config is not None:
            raise ValueError(f"Layer '{self.name}': LoRA and quantization (lora_rank, "
                             f"quantization_config) are not supported by lamina yet.")
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._apply_activation = activations.serialize(self.activation) != "linear"
        self._input_dim = None
        self.kernel = None
        self.bias = None
        if self._batch_input_shape is not None:
            self.build_from_shape(self._batch_input_shape)

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
        outputs = F.linear(inputs, self.kernel.T, self.bias)
        return self.activation(outputs) if self._apply_activation else outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "units": self.units,
                "activation": activations.serialize(self.activation),
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
        message += (f" The inputs look like images of shape {shape[1:]}: add "
                    f"`Flatten(input_shape={shape[1:]})` as the first layer, or reshape them "
                    f"with `x.reshape(-1, {layer._input_dim})`.")
    return message


def _product(dims) -> int:
    result = 1
    for d in dims:
        result *= int(d)
    return result


class Activation(Layer):
    """Applies an activation function to its input.

    Example:
        >>> Activation("relu")(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        if self._batch_input_shape is not None:
            self.build_from_shape(self._batch_input_shape)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 during training, scaling the rest by 1/(1-rate).

    Args:
        rate: fraction of the units to drop, in [0, 1).
        noise_shape: shape of the binary mask (None entries follow the input), e.g.
            `(batch, 1, features)` to drop the same features at every timestep.
        seed: seed for the mask (None: the global generator).

    Example:
        >>> Dropout(0.5)(torch.ones(4), training=False)
        tensor([1., 1., 1., 1.])
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value "
                             f"between 0 and 1. Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._generator = None
        if self._batch_input_shape is not None:
            self.build_from_shape(self._batch_input_shape)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return torch.zeros_like(inputs)
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, training=True)
        return inputs * self._mask(inputs) / (1 - self.rate)

    def _mask(self, inputs):
        shape = inputs.shape if self.noise_shape is None else tuple(
            size if wanted is None else wanted for size, wanted in zip(inputs.shape, self.noise_shape))
        if self.seed is not None and self._generator is None:
            self._generator = torch.Generator(device=inputs.device).manual_seed(self.seed)
        keep = torch.rand(shape, device=inputs.device, generator=self._generator) >= self.rate
        return keep.to(inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class InputLayer(Layer):
    """The entry of a model: declares the shape of one sample (without the batch axis).

    Example:
        >>> InputLayer(shape=(28, 28)).batch_shape
        (None, 28, 28)
    """

    # The model's entry passes data through as given; the layers after it cast as they need.
    _accepts_integer_inputs = True

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        kwargs.pop("ragged", None)
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if shape is None and input_shape is not None:
            shape = input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer needs `shape` (one sample's shape, e.g. shape=(784,)) "
                                 "or `batch_shape`.")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.sparse = bool(sparse)
        self.optional = bool(optional)
        self._input_dtype = dtype or backend.floatx()
        from lamina.models.functional import Node

        tensor = KerasTensor(self.batch_shape, dtype=str(self._input_dtype), name=self.name,
                             history=(self, 0, 0))
        self.__dict__["_inbound_nodes"] = [Node(self, (), {}, tensor)]
        self.built = True

    @property
    def input(self):
        return self.output

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": self.sparse,
                "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False) -> KerasTensor:
    """A symbolic input of the functional API: `Input(shape=(784,))` is a batch of 784-vectors.

    Example:
        >>> x = Input(shape=(784,))
        >>> y = Dense(10)(x)
        >>> y.shape
        (None, 10)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, optional=optional, name=name)
    return layer.output
