"""`KerasTensor`: a symbolic tensor (shape and dtype, no data) flowing through the functional API.

Arithmetic, comparisons and indexing on Keras tensors record graph nodes, as in Keras 3:

Example:
    >>> x = lamina.Input(shape=(784,))
    >>> x.shape
    (None, 784)
    >>> (x * 2 + 1)[:, :10].shape
    (None, 10)
"""
from __future__ import annotations

__all__ = ["KerasTensor"]


class KerasTensor:
    """A placeholder for data of `shape` (batch axis first, None where unknown).

    Args:
        shape: the full shape, batch axis included.
        dtype: a dtype name such as 'float32'.
        name: an optional name (the Input's name).
    """

    # `_keras_mask`: the symbolic mask of a masked output (unset when there is none), so
    # `x._keras_mask` reads as in Keras; the graph recomputes the real mask when it runs.
    __slots__ = ("_keras_mask", "dtype", "history", "name", "shape", "sparse")

    # NumPy defers `array + x` to `x.__radd__` (a graph node) rather than looping over x.
    __array_ufunc__ = None

    # Replaced by `lamina.layers` when it loads: records `function(*args)` as a node and
    # returns its symbolic output. Kept as a hook so this module stays below the layers; the
    # defaults load the layers first (a KerasTensor made by hand, before any layer is used).
    @staticmethod
    def _record_operation(name, tensor, *args):
        _load_recorders()
        return KerasTensor._record_operation(name, tensor, *args)

    # Likewise for a `lamina.ops` function called with Keras tensors among its arguments.
    @staticmethod
    def _record_function(function, args, kwargs):
        _load_recorders()
        return KerasTensor._record_function(function, args, kwargs)

    def __init__(self, shape, dtype: str = "float32", name: str | None = None, history=None,
                 sparse: bool = False):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name
        self.sparse = bool(sparse)
        # (layer, node_index, tensor_index): the layer call that produced this tensor.
        self.history = history

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def ragged(self) -> bool:
        return False  # lamina has no ragged tensors; Keras' attribute, for code that reads it

    @property
    def node(self):
        """The `Node` that produced this tensor (None for a tensor made by hand)."""
        if self.history is None or self.history[1] is None:
            return None
        layer, node_index, _ = self.history
        nodes = layer.__dict__.get("_inbound_nodes", [])
        return nodes[node_index] if node_index < len(nodes) else None

    def __repr__(self) -> str:
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse={self.sparse}, "
                f"ragged={self.ragged}, name={self.name}>")

    def _no_value(self, what: str):
        return ValueError("A KerasTensor is symbolic: it's a placeholder for a shape an a dtype. "
                          "It doesn't have any actual numerical value. You cannot convert it to "
                          f"{what}.")

    def __int__(self):
        raise self._no_value("an int")

    def __float__(self):
        raise self._no_value("a float")

    def __array__(self, dtype=None, copy=None):
        raise self._no_value("a NumPy array")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor has no value, so it cannot be used as a Python "
                        "bool (in `if` or `while`). Use `keras.ops.cond` / `keras.ops.where`, or "
                        "write the condition in a layer's `call`.")

    def __len__(self):
        raise TypeError(f"A KerasTensor of shape {self.shape} has no fixed len(); use `x.shape`.")

    def __iter__(self):
        raise TypeError("A symbolic KerasTensor cannot be iterated; index it (`x[:, 0]`) or "
                        "split it with a layer.")

    def _operation(self, name: str, *args):
        return KerasTensor._record_operation(name, self, *args)

    def __add__(self, other): return self._operation("add", other)
    def __radd__(self, other): return self._operation("radd", other)
    def __sub__(self, other): return self._operation("subtract", other)
    def __rsub__(self, other): return self._operation("rsubtract", other)
    def __mul__(self, other): return self._operation("multiply", other)
    def __rmul__(self, other): return self._operation("rmultiply", other)
    def __truediv__(self, other): return self._operation("divide", other)
    def __rtruediv__(self, other): return self._operation("rdivide", other)
    def __floordiv__(self, other): return self._operation("floor_divide", other)
    def __rfloordiv__(self, other): return self._operation("rfloor_divide", other)
    def __mod__(self, other): return self._operation("mod", other)
    def __rmod__(self, other): return self._operation("rmod", other)
    def __pow__(self, other): return self._operation("power", other)
    def __rpow__(self, other): return self._operation("rpower", other)
    def __matmul__(self, other): return self._operation("matmul", other)
    def __rmatmul__(self, other): return self._operation("rmatmul", other)
    def __neg__(self): return self._operation("negative")
    def __pos__(self): return self
    def __abs__(self): return self._operation("absolute")
    def __invert__(self): return self._operation("invert")
    def __lt__(self, other): return self._operation("less", other)
    def __le__(self, other): return self._operation("less_equal", other)
    def __gt__(self, other): return self._operation("greater", other)
    def __ge__(self, other): return self._operation("greater_equal", other)
    def __ne__(self, other): return self._operation("not_equal", other)
    def __and__(self, other): return self._operation("logical_and", other)
    def __rand__(self, other): return self._operation("rlogical_and", other)
    def __or__(self, other): return self._operation("logical_or", other)
    def __ror__(self, other): return self._operation("rlogical_or", other)
    def __xor__(self, other): return self._operation("logical_xor", other)
    def __rxor__(self, other): return self._operation("rlogical_xor", other)
    def __getitem__(self, key): return self._operation("getitem", key)
    # Keras defines `!=` but not `==` on Keras tensors: `x == y` stays identity (hashable).
    __hash__ = object.__hash__

    def __round__(self, ndigits=None):
        from lamina import ops

        return ops.round(self, decimals=ndigits or 0)

    def reshape(self, newshape):
        from lamina import ops

        return ops.reshape(self, newshape)

    def squeeze(self, axis=None):
        from lamina import ops

        return ops.squeeze(self, axis=axis)


def _load_recorders() -> None:
    import importlib

    for module in ("lamina.layers.core.operation_layer", "lamina.layers.core.tensor_operation"):
        importlib.import_module(module)  # each sets its recorder on KerasTensor
