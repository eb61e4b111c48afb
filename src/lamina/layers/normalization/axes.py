"""The `axis` argument of the normalization layers: checked once, resolved against the input rank.

Example:
    >>> layer = lamina.layers.LayerNormalization(axis=[-1, 1])
    >>> resolve_axes(layer, (None, 4, 8))
    [1, 2]
"""
from __future__ import annotations

from lamina.utils.errors import OutOfRangeError

__all__ = ["broadcastable", "built_axis_config", "check_axis_argument", "resolve_axes",
           "require_known_sizes"]


def check_axis_argument(layer_name: str, axis, allow_list: bool = True):
    """`axis` as given (an int, or a list of ints where `allow_list`); TypeError otherwise."""
    def is_int(value):
        return isinstance(value, int) and not isinstance(value, bool)

    if is_int(axis):
        return axis
    if allow_list and isinstance(axis, (list, tuple)) and axis and all(is_int(a) for a in axis):
        return list(axis)
    expected = "an int or a list/tuple of ints" if allow_list else "an int"
    raise TypeError(f"{layer_name}: expected {expected} for the argument `axis`, "
                    f"but received: axis={axis!r}.")


def resolve_axes(layer, input_shape) -> list[int]:
    """`layer.axis` as sorted non-negative axes of `input_shape`.

    Raises:
        OutOfRangeError (a ValueError and, as in Keras, an IndexError): an axis is outside
            the input's rank (naming the layer, the axis, the shape).
    """
    shape = tuple(input_shape)
    ndim = len(shape)
    axes = [layer.axis] if isinstance(layer.axis, int) else list(layer.axis)
    for axis in axes:
        if not -ndim <= axis < ndim:
            raise OutOfRangeError(f"{type(layer).__name__} '{layer.name}': axis {axis} is out of "
                                  f"bounds for input shape {shape} of rank {ndim}; use an axis "
                                  f"from {-ndim} to {ndim - 1}. Received: axis={layer.axis!r}")
    return sorted({axis % ndim for axis in axes})


def built_axis_config(layer):
    """`axis` as Keras' config shows it: its build turns an int into a list and sorts a list.

    Example:
        >>> layer = lamina.layers.LayerNormalization(axis=-1)
        >>> layer.build((2, 3)); built_axis_config(layer)
        [-1]
    """
    if not layer.built:
        return layer.axis
    return [layer.axis] if isinstance(layer.axis, int) else sorted(layer.axis)


def require_known_sizes(layer, axes: list[int], input_shape) -> tuple[int, ...]:
    """The sizes of `axes` in `input_shape`, which must be known to create the layer's weights."""
    shape = tuple(input_shape)
    sizes = tuple(shape[axis] for axis in axes)
    if any(size is None for size in sizes):
        raise ValueError(f"{type(layer).__name__} '{layer.name}': axis {layer.axis!r} of the input "
                         f"should have a defined dimension, but the layer received an input with "
                         f"shape {shape}. Give the normalized axes a fixed size, e.g. in "
                         f"`Input(shape=...)`.")
    return tuple(int(size) for size in sizes)


def broadcastable(weight, ndim: int, axes: list[int]):
    """A weight shaped like the normalized `axes`, reshaped to broadcast against the input."""
    shape = [1] * ndim
    for axis, size in zip(axes, weight.shape):
        shape[axis] = size
    return weight.reshape(shape)
