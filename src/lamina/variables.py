"""`Variable`: a `torch.nn.Parameter` with Keras' variable API (name, assign, numpy, value).

Layer weights and metric state are Variables, so Keras code such as
`self.count.assign_add(1.0)` or `layer.kernel.numpy()` works, while PyTorch still sees plain
parameters (`state_dict`, optimizers, `.to()`).

Example:
    >>> v = Variable(np.ones(3), name="bias")
    >>> _ = v.assign_add([1.0, 2.0, 3.0])
    >>> v.numpy()
    array([2., 3., 4.], dtype=float32)
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lamina import backend
from lamina.utils.naming import unique_name

__all__ = ["Variable"]


def _numpy_operand(method: str, operation: str, reflected: bool = False):
    """Tensor arithmetic that sends a NumPy operand through `lamina.ops.<operation>`."""
    tensor_method = getattr(torch.Tensor, method)

    def arithmetic(self, other):
        if isinstance(other, (np.ndarray, np.generic)):
            from lamina import ops  # the ops sit above the variables

            function = getattr(ops, operation)
            return function(other, self) if reflected else function(self, other)
        return tensor_method(self, other)

    arithmetic.__name__ = method
    return arithmetic


class Variable(nn.Parameter):
    """A named, assignable tensor: Keras' `keras.Variable` as a `torch.nn.Parameter`.

    Args:
        initializer: initial value (array, tensor, number) or an initializer (name or
            callable taking `shape` and `dtype`).
        shape: the shape, needed when `initializer` is an initializer.
        dtype: the dtype (default: the value's, float32 for floats; floatx for an
            initializer). 'float64' keeps float64.
        trainable: whether training updates it (sets `requires_grad`).
        autocast: whether a layer computing in another float dtype (mixed precision) casts
            it to that dtype when its `call` reads it (the stored value stays as it is).
        name: the variable's name (its last path component).
    """

    def __new__(cls, initializer=None, shape=None, dtype=None, trainable: bool = True,
                autocast: bool = True, aggregation: str = "none", synchronization: str = "auto",
                name: str | None = None, device=None):
        value = _initial_value(initializer, shape, dtype, device)
        variable = super().__new__(cls, value, requires_grad=bool(trainable)
                                   and value.is_floating_point())
        variable._name = name or unique_name("variable")
        variable.path = variable._name
        variable._trainable = bool(trainable)
        variable._autocast = bool(autocast)
        return variable

    @classmethod
    def wrap(cls, tensor: torch.Tensor, trainable: bool, name: str, path: str) -> "Variable":
        """A Variable sharing `tensor`'s storage (no copy)."""
        variable = torch.Tensor._make_subclass(cls, tensor.detach(), bool(trainable)
                                               and tensor.is_floating_point())
        variable._name = name
        variable.path = path
        variable._trainable = bool(trainable)
        variable._autocast = True
        variable.constraint = None
        return variable

    # torch rebuilds parameters through `type(p)(data, requires_grad)`; keep our fields.
    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        copy = Variable(self.detach().clone(), dtype=self.dtype, trainable=self._trainable,
                        autocast=self._autocast, name=self.name)
        copy.requires_grad_(self.requires_grad)
        copy.path = self.path
        memo[id(self)] = copy
        return copy

    def __reduce_ex__(self, protocol):
        return (_rebuild_variable, (self.detach().cpu(), self._trainable, self.name,
                                    self.requires_grad, self._autocast))

    @property
    def name(self) -> str:
        """The variable's own name, e.g. 'kernel' (`path` adds the layer: 'dense/kernel')."""
        return self._name

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape as a tuple of ints, as Keras gives it: `(784, 128)`, not `torch.Size`."""
        return tuple(torch.Tensor.shape.__get__(self))

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.requires_grad_(bool(value) and self.is_floating_point())

    @property
    def value(self) -> torch.Tensor:
        """The variable itself (Keras code reads `v.value`, e.g. `v.value.grad`)."""
        return self

    def assign(self, value) -> "Variable":
        """Sets the value in place (shape must match)."""
        value = _as_tensor_like(value, self)
        if value.shape != self.shape:
            raise ValueError(f"The shape of the target variable '{self.name}' {tuple(self.shape)} "
                             f"and the shape of the value {tuple(value.shape)} must match.")
        with torch.no_grad():
            self.copy_(value)
        return self

    def assign_add(self, value) -> "Variable":
        with torch.no_grad():
            self.add_(_as_tensor_like(value, self))
        return self

    def assign_sub(self, value) -> "Variable":
        with torch.no_grad():
            self.sub_(_as_tensor_like(value, self))
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The value as a NumPy array (a copy on the host); `force` as in `torch.Tensor.numpy`.

        NumPy has no bfloat16: a bfloat16 variable comes back as float32 values.
        """
        # A copy, as Keras gives: a CPU tensor's `.numpy()` would share memory, so a value
        # read before training (`lr = optimizer.learning_rate.numpy()`) would change with it.
        return backend.to_numpy(self.as_subclass(torch.Tensor))

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __array_function__(self, func, types, args, kwargs):
        # np.mean(layer.kernel), np.concatenate([w1, w2]): NumPy results, as in Keras.
        return backend.numpy_function(func, args, kwargs)

    # `variable * numpy_array` would otherwise go through `__array__` and give a detached
    # float64 copy (a weight that silently stops training); `ndarray * variable` would raise.
    # Keras computes both as `ops.multiply`: NumPy operands go through lamina's ops.
    __add__, __radd__ = _numpy_operand("__add__", "add"), _numpy_operand("__radd__", "add", True)
    __sub__ = _numpy_operand("__sub__", "subtract")
    __rsub__ = _numpy_operand("__rsub__", "subtract", True)
    __mul__ = _numpy_operand("__mul__", "multiply")
    __rmul__ = _numpy_operand("__rmul__", "multiply", True)
    __truediv__ = _numpy_operand("__truediv__", "divide")
    __rtruediv__ = _numpy_operand("__rtruediv__", "divide", True)
    __matmul__ = _numpy_operand("__matmul__", "matmul")
    __rmatmul__ = _numpy_operand("__rmatmul__", "matmul", True)
    __pow__ = _numpy_operand("__pow__", "power")
    __rpow__ = _numpy_operand("__rpow__", "power", True)

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={tuple(self.shape)}, "
                f"dtype={str(self.dtype).replace('torch.', '')}, value={self.numpy()}>")


def _rebuild_variable(data, trainable, name, requires_grad, autocast=True):
    variable = Variable(data, dtype=data.dtype, trainable=trainable, autocast=autocast, name=name)
    variable.requires_grad_(requires_grad)
    return variable


def _initial_value(initializer, shape, dtype, device) -> torch.Tensor:
    device = backend.get_device(scoped=False) if device is None else torch.device(device)
    if isinstance(initializer, str) or (callable(initializer) and not isinstance(
            initializer, (torch.Tensor, np.ndarray))):
        from lamina import initializers

        if shape is None:
            raise ValueError("A Variable created from an initializer needs `shape`.")
        return initializers.initialize(initializer, tuple(shape),
                                       dtype=backend.torch_dtype(dtype), device=device)
    value = initializer.detach() if isinstance(initializer, torch.Tensor) else initializer
    tensor = backend.to_tensor(value, dtype=dtype, device=device)
    if shape is not None and tuple(tensor.shape) != tuple(shape):
        tensor = tensor.broadcast_to(tuple(shape))
    # A copy: the variable must not share memory with the caller's array or tensor.
    return tensor.clone()


def _as_tensor_like(value, like: torch.Tensor) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.to(device=like.device, dtype=like.dtype)
    return backend.to_tensor(value, dtype=like.dtype, device=like.device)
