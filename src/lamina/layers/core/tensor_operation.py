"""`TensorOperation`: arithmetic and indexing on Keras tensors (`x + y`, `-x`, `x[:, 0]`) as a node.

Keras 3 records such expressions as operations in the functional graph. Here each is a small
weightless layer, hidden from `model.layers` as Keras' operations are; `summary()` lists it
under Keras' class name (`multiply (Multiply)`), as Keras does.

Example:
    >>> x = lamina.Input(shape=(3,))
    >>> model = lamina.Model(x, -x * 2)
    >>> model(torch.ones(1, 3))
    tensor([[-2., -2., -2.]])
"""
from __future__ import annotations

import operator

import numpy as np
import torch

from lamina.layers.layer import Layer
from lamina.ops.keras_tensor import KerasTensor
from lamina.utils import naming

__all__ = ["KERAS_CLASSES", "REFLECTED", "TensorOperation"]


def _reflected(function):
    return lambda x, other: function(other, x)


_FUNCTIONS = {
    "add": operator.add, "radd": _reflected(operator.add),
    "subtract": operator.sub, "rsubtract": _reflected(operator.sub),
    "multiply": operator.mul, "rmultiply": _reflected(operator.mul),
    "divide": operator.truediv, "rdivide": _reflected(operator.truediv),
    "floor_divide": operator.floordiv, "rfloor_divide": _reflected(operator.floordiv),
    "mod": operator.mod, "rmod": _reflected(operator.mod),
    "power": operator.pow, "rpower": _reflected(operator.pow),
    "matmul": operator.matmul, "rmatmul": _reflected(operator.matmul),
    "negative": operator.neg, "absolute": torch.abs, "invert": operator.invert,
    "less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
    "greater_equal": operator.ge, "not_equal": operator.ne,
    "logical_and": operator.and_, "rlogical_and": _reflected(operator.and_),
    "logical_or": operator.or_, "rlogical_or": _reflected(operator.or_),
    "logical_xor": operator.xor, "rlogical_xor": _reflected(operator.xor),
}


# Keras' operation names (what `summary()`'s "Connected to" column shows).
_KERAS_NAMES = {"radd": "add", "rsubtract": "subtract", "rmultiply": "multiply",
                "divide": "true_divide", "rdivide": "true_divide", "rpower": "power",
                "rmatmul": "matmul", "rfloor_divide": "floor_divide", "rmod": "mod",
                "rlogical_and": "logical_and", "rlogical_or": "logical_or",
                "rlogical_xor": "logical_xor", "getitem": "get_item"}


# The class of each operation in keras.src.ops.numpy (how Keras names it in configs and summaries).
KERAS_CLASSES = {
    "add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "TrueDivide",
    "floor_divide": "FloorDivide", "mod": "Mod", "power": "Power", "matmul": "Matmul",
    "negative": "Negative", "absolute": "Absolute", "invert": "LogicalNot", "less": "Less",
    "less_equal": "LessEqual", "greater": "Greater", "greater_equal": "GreaterEqual",
    "not_equal": "NotEqual", "logical_and": "LogicalAnd", "logical_or": "LogicalOr",
    "logical_xor": "LogicalXor", "getitem": "GetItem",
}
# lamina's reflected operations: `2 - x` is rsubtract(x, 2).
REFLECTED = {"radd": "add", "rsubtract": "subtract", "rmultiply": "multiply",
             "rdivide": "divide", "rpower": "power", "rmatmul": "matmul",
             "rfloor_divide": "floor_divide", "rmod": "mod", "rlogical_and": "logical_and",
             "rlogical_or": "logical_or", "rlogical_xor": "logical_xor"}


class TensorOperation(Layer):
    """One tensor operation by name (`add`, `negative`, `getitem`, ...) in a functional graph.

    Args:
        operation: the operation's name.
        key: the index of a `getitem` operation.
    """

    _accepts_integer_inputs = True
    _is_operation = True

    def __init__(self, operation: str, key=None, **kwargs):
        kwargs.setdefault("name", naming.unique_name(_KERAS_NAMES.get(operation, operation)))
        super().__init__(**kwargs)
        if operation != "getitem" and operation not in _FUNCTIONS:
            raise ValueError(f"Unknown tensor operation {operation!r}; expected one of "
                             f"{sorted(_FUNCTIONS) + ['getitem']}.")
        self.operation = operation
        self.key = key
        self.built = True

    @property
    def keras_class_name(self) -> str:
        """Keras' class for this operation (`Subtract` for `x - 1` and `1 - x` alike)."""
        return KERAS_CLASSES[REFLECTED.get(self.operation, self.operation)]

    def call(self, inputs, *others):
        if self.operation == "getitem":
            return inputs[self.key]
        others = tuple(_operand_like(o, inputs) for o in others)
        return _FUNCTIONS[self.operation](inputs, *others)

    def get_config(self) -> dict:
        # The key stays a Python object (slices, Ellipsis): saved files write it in Keras'
        # form instead (saving/keras_ops.py); this config serves `clone_model`.
        config = {**super().get_config(), "operation": self.operation}
        if self.operation == "getitem":
            config["key"] = self.key
        return config


def _operand_like(operand, inputs: torch.Tensor):
    """A constant operand as a tensor beside `inputs`: Python numbers (and NumPy floats) take
    a float input's dtype, as Keras' weak types do; arrays move to its device."""
    if isinstance(operand, np.ndarray):
        operand = torch.from_numpy(operand).to(inputs.device)
        if operand.is_floating_point() and inputs.is_floating_point():
            operand = operand.to(inputs.dtype)
        return operand
    if isinstance(operand, (int, float)) and not isinstance(operand, bool) and \
            inputs.is_floating_point():
        return torch.as_tensor(operand, dtype=inputs.dtype, device=inputs.device)
    return operand


def record_operation(operation: str, tensor: KerasTensor, *args):
    if operation == "getitem":
        return TensorOperation(operation, key=args[0])(tensor)
    return TensorOperation(operation)(tensor, *args)


KerasTensor._record_operation = staticmethod(record_operation)
