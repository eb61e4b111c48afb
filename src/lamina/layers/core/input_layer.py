"""InputLayer and `Input`: the entry of a functional model, a symbolic batch of samples."""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import torch

from lamina import backend
from lamina.layers.input_spec import shape_tuple
from lamina.layers.layer import Layer
from lamina.ops.keras_tensor import KerasTensor
from lamina.ops.node import Node

__all__ = ["Input", "InputLayer", "adjust_input_rank", "adjusted_shape", "check_input_rank",
           "unwrap_single_input"]


class InputLayer(Layer):
    """The entry of a model: declares the shape of one sample (without the batch axis).

    Example:
        >>> InputLayer(shape=(28, 28)).batch_shape
        (None, 28, 28)
    """

    # The model's entry passes data through as given; the layers after it cast as they need.
    _accepts_integer_inputs = True
    _accepts_string_inputs = True
    supports_masking = False  # Keras' flag; `compute_mask` still passes a nested model's mask on

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        if input_shape is not None:
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.",
                          stacklevel=2)
        if isinstance(shape, numbers.Integral) and batch_size is not None:
            # Keras refuses a bare number as a shape; lamina reads Input(784) as (784,), but
            # Input(28, 28) is a 28x28 image typed without its parentheses, not batch 28.
            raise ValueError(f"Input({shape}, {batch_size}) reads as shape={shape}, "
                             f"batch_size={batch_size}. For samples of shape ({shape}, "
                             f"{batch_size}) write Input(shape=({shape}, {batch_size})).")
        kwargs.pop("ragged", None)
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        # Strings have no torch dtype: the layer's own dtype stays floatx, the tensor says 'string'.
        super().__init__(name=name, dtype=None if dtype == "string" else dtype, **kwargs)
        if shape is None and input_shape is not None:
            shape = input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer needs `shape` (one sample's shape, e.g. shape=(784,)) "
                                 "or `batch_shape`.")
            batch_shape = (batch_size,) + shape_tuple(shape, "shape")
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.sparse = bool(sparse)
        self.optional = bool(optional)
        self._input_dtype = dtype or backend.floatx()
        tensor = KerasTensor(self.batch_shape, dtype=str(self._input_dtype), name=self.name,
                             history=(self, 0, 0), sparse=self.sparse)
        self.__dict__["_inbound_nodes"] = [Node(self, (), {}, tensor)]
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return mask

    @property
    def input(self):
        return self.output

    def call(self, inputs):
        if isinstance(inputs, np.ndarray):  # text: Keras' rank rule applies to strings too
            return inputs.reshape(adjusted_shape(inputs.shape, self.batch_shape))
        if not isinstance(inputs, torch.Tensor):
            return inputs
        inputs = adjust_input_rank(inputs, self.batch_shape)
        check_input_rank(inputs, self.batch_shape, self.name)
        if any(
                e is not None and e != r for e, r in zip(self.batch_shape[1:], inputs.shape[1:])):
            raise ValueError(f"Invalid input shape for input '{self.name}'. Expected shape "
                             f"{self.batch_shape}, but input has incompatible shape "
                             f"{tuple(inputs.shape)}. Check which array goes to which input (a "
                             f"dict keyed by input name, {{'{self.name}': ...}}, cannot mix them up).")
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        dtype = "string" if self._input_dtype == "string" else self.dtype
        return {"batch_shape": list(self.batch_shape), "dtype": dtype, "sparse": self.sparse,
                "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False) -> KerasTensor:
    """A symbolic input of the functional API: `Input(shape=(784,))` is a batch of 784-vectors.

    Example:
        >>> x = Input(shape=(784,))
        >>> y = lamina.layers.Dense(10)(x)
        >>> y.shape
        (None, 10)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, optional=optional, name=name)
    return layer.output


def check_input_rank(inputs: torch.Tensor, batch_shape: tuple, name: str) -> None:
    """Keras' error for data whose rank `adjust_input_rank` could not make the input's.

    Example:
        >>> check_input_rank(torch.zeros(2, 3, 4), (None, 4), "input_layer")
        Traceback (most recent call last):
        ValueError: Invalid input shape for input 'input_layer'. Expected shape (None, 4), but input has incompatible shape (2, 3, 4).
    """
    if inputs.ndim != len(batch_shape):
        received = tuple(inputs.shape)
        raise ValueError(f"Invalid input shape for input '{name}'. Expected shape "
                         f"{tuple(batch_shape)}, but input has incompatible shape "
                         f"{received}.{_rank_hint(received, batch_shape)}")


def _rank_hint(received: tuple, batch_shape: tuple) -> str:
    """The likely fix for data of the wrong rank: a missing batch axis, or a reshape."""
    if received == tuple(batch_shape[1:]):
        return " That looks like a single sample: add the batch axis, e.g. x[None]."
    if None not in batch_shape[1:] and math.prod(received[1:]) == math.prod(batch_shape[1:]):
        reshape = f"`x.reshape(-1, {', '.join(str(d) for d in batch_shape[1:])})`"
        if len(batch_shape) == 2 and len(received) >= 3:
            return (f" The inputs look like images of shape {received[1:]}: start the model "
                    f"with `keras.Input(shape={received[1:]})` and `Flatten()`, or reshape "
                    f"them with {reshape}.")
        return f" The sizes agree: reshape the data with {reshape}."
    return ""


def adjusted_shape(shape: tuple, batch_shape: tuple) -> tuple:
    """`shape` after Keras 3's rule for data one axis off a model's input shape: a missing
    trailing axis of size 1 is added ((N, 28, 28) into Input((28, 28, 1))), an extra trailing
    axis of size 1 dropped ((N, 4, 1) into Input((4,))). Any other shape is returned as it is.

    Example:
        >>> adjusted_shape((16, 28, 28), (None, 28, 28, 1))
        (16, 28, 28, 1)
    """
    shape = tuple(shape)
    if len(shape) == len(batch_shape) - 1 and batch_shape[-1] == 1:
        return shape + (1,)
    if len(shape) == len(batch_shape) + 1 and shape[-1] == 1:
        return shape[:-1]
    return shape


def adjust_input_rank(inputs: torch.Tensor, batch_shape: tuple) -> torch.Tensor:
    """`inputs` reshaped (a view) by `adjusted_shape`, as Keras' functional models do."""
    shape = adjusted_shape(inputs.shape, batch_shape)
    return inputs if shape == tuple(inputs.shape) else inputs.reshape(shape)


def unwrap_single_input(inputs):
    """`x` for `[x]` or `(x,)` when `x` is an array or tensor, as Keras flattens the structure
    fed to a one-input model (`fit([x], y)`); anything else unchanged.

    Example:
        >>> unwrap_single_input([torch.zeros(2, 3)]).shape
        torch.Size([2, 3])
    """
    if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and hasattr(inputs[0], "shape"):
        return inputs[0]
    return inputs
