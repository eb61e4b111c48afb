"""`KerasTensor`: a symbolic tensor (shape and dtype, no data) flowing through the functional API.

Example:
    >>> x = lamina.Input(shape=(784,))
    >>> x.shape
    (None, 784)
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

    __slots__ = ("shape", "dtype", "name", "history")

    def __init__(self, shape, dtype: str = "float32", name: str | None = None, history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name
        # (layer, node_index, tensor_index): the layer call that produced this tensor.
        self.history = history

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"
