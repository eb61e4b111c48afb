"""`keras.Operation` and `keras.Function`: the base of Keras' computations and a callable
graph from inputs to outputs.

Every lamina layer counts as an Operation and every functional model as a Function, so
Keras code's `isinstance` checks hold.

Example:
    >>> inputs = lamina.Input((3,))
    >>> function = Function(inputs, lamina.layers.Dense(2)(inputs))
    >>> function(np.ones((4, 3), "float32")).shape, isinstance(function, Operation)
    (torch.Size([4, 2]), True)
"""
from __future__ import annotations

import abc

from lamina.utils.naming import to_snake_case, unique_name

__all__ = ["Operation", "Function"]


class Operation(abc.ABC):  # noqa: B024 - abstract only so layers can count as Operations
    """Base class of a computation: `call` does the work, `__call__` runs it.

    Called on Keras tensors (`keras.Input`), the operation becomes a node of the graph.

    Args:
        name: The operation's name (default: its class name in snake case, made unique).

    Example:
        >>> class Square(Operation):
        ...     def call(self, x):
        ...         return x * x
        >>> Square()(torch.tensor([3.0])).tolist(), Square(name="sq").name
        ([9.0], 'sq')
    """

    def __init__(self, name: str | None = None):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name} (of type {type(name)})")
        self.name = name if name is not None else unique_name(to_snake_case(type(self).__name__))

    @classmethod
    def __subclasshook__(cls, subclass):
        if cls is Operation:
            from lamina.layers import Layer  # the layers sit above utils

            if issubclass(subclass, Layer):
                return True
        return NotImplemented

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement `call`.")

    def __call__(self, *args, **kwargs):
        from lamina.ops.symbolic import has_keras_tensor

        if has_keras_tensor(args, kwargs):
            return self._symbolic_call(args, kwargs)
        return self.call(*args, **kwargs)

    def _symbolic_call(self, args, kwargs):
        from lamina.layers import Lambda

        if len(args) == 1:
            return Lambda(lambda x: self.call(x, **kwargs), name=self.name)(args[0])
        return Lambda(lambda xs: self.call(*xs, **kwargs), name=self.name)(list(args))

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Function(Operation):
    """A callable graph from `inputs` to `outputs` (Keras tensors), without a model's training
    machinery; `function(data)` computes the outputs.

    Args:
        inputs: A Keras tensor from `keras.Input`, or a list or dict of them.
        outputs: Keras tensors computed from `inputs`, in the same kinds of structures.
        name: The function's name.

    Example:
        >>> a, b = lamina.Input((2,)), lamina.Input((2,))
        >>> total = Function([a, b], [lamina.layers.Add()([a, b])], name="total")
        >>> total([torch.ones(1, 2), torch.ones(1, 2)])[0].tolist()
        [[2.0, 2.0]]
    """

    def __init__(self, inputs, outputs, name: str | None = None):
        super().__init__(name=name)
        from lamina.models.functional import Functional  # the models sit above utils

        self._graph_model = Functional(inputs, outputs, name=self.name)
        self._output_is_list = isinstance(outputs, (list, tuple))

    @classmethod
    def __subclasshook__(cls, subclass):
        if cls is Function:
            from lamina.models.functional import Functional

            if issubclass(subclass, Functional):
                return True
        return NotImplemented

    @property
    def inputs(self) -> list:
        return list(self._graph_model.inputs)

    @property
    def outputs(self) -> list:
        return list(self._graph_model.outputs)

    @property
    def operations(self) -> list:
        """The graph's input layers, then its layers, in order."""
        input_layers = [tensor.history[0] for tensor in self.inputs]
        return input_layers + [layer for layer in self._graph_model.layers
                               if layer not in input_layers]

    def call(self, inputs):
        outputs = self._graph_model(inputs)
        # Keras keeps the structure `outputs` was given in, a list of one included.
        if self._output_is_list and not isinstance(outputs, (list, tuple)):
            return [outputs]
        return outputs

    def __call__(self, inputs):
        return self.call(inputs)

    def get_config(self) -> dict:
        raise NotImplementedError("A Function holds Keras tensors, which cannot be serialized: "
                                  "save a `keras.Model(inputs, outputs)` instead.")
