"""`InputSpec`: what a layer accepts (rank, known axis sizes), checked once per call.

Every layer that declares `self.input_spec` gets the same message shape as Keras:

Example:
    >>> layer = lamina.layers.Layer()
    >>> layer.input_spec = InputSpec(ndim=4)
    >>> layer(torch.zeros(2, 28, 28))
    Traceback (most recent call last):
    ...
    ValueError: Input 0 of layer "layer..." is incompatible with the layer: expected ndim=4, found ndim=3. Full shape received: (2, 28, 28)
"""
from __future__ import annotations

import numbers

__all__ = ["InputSpec", "assert_input_compatibility", "shape_tuple"]


class InputSpec:
    """The rank, dtype and axis sizes a layer expects of one input.

    Args:
        dtype: expected dtype name, or None for any.
        shape: expected full shape (None entries match anything).
        ndim: exact rank.
        max_ndim, min_ndim: bounds on the rank.
        axes: `{axis: size}` for axes whose size must match (e.g. `{-1: 784}`).
        allow_last_axis_squeeze: accept a missing trailing axis of size 1.
        name: the input's name, for messages.
        optional: whether the input may be None.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def __repr__(self) -> str:
        fields = [f"{key}={value}" for key, value in (("dtype", self.dtype), ("shape", self.shape),
                  ("ndim", self.ndim), ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim),
                  ("axes", self.axes or None)) if value is not None]
        return f"InputSpec({', '.join(fields)})"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config: dict) -> "InputSpec":
        return cls(**config)


def assert_input_compatibility(input_spec, inputs, layer) -> None:
    """Raises Keras' ValueError when `inputs` (tensors or KerasTensors) break `input_spec`.

    `layer` may add the fix for a learner's slip through `_input_spec_hint(index, shape)`.
    """
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    if len(specs) == 1 and isinstance(inputs, (list, tuple)) and len(inputs) > 1:
        shapes = [tuple(x.shape) if hasattr(x, "shape") else x for x in inputs]
        raise ValueError(f'Layer "{layer.name}" expects 1 input(s), but it received {len(inputs)} '
                         f'input tensors. Inputs received: shapes {shapes}. To use them together, '
                         f'join them first (e.g. `layers.Concatenate()([a, b])`); to apply the '
                         f'layer to each, call it on each one.')
    values = inputs if isinstance(inputs, (list, tuple)) and len(specs) > 1 else [inputs]
    for index, (spec, value) in enumerate(zip(specs, values)):
        if spec is None or value is None or not hasattr(value, "shape"):
            continue
        shape = tuple(value.shape)
        problem = _first_problem(spec, shape)
        if problem:
            hint = layer._input_spec_hint(index, shape) if hasattr(layer, "_input_spec_hint") else ""
            raise ValueError(f'Input {index} of layer "{layer.name}" is incompatible with the layer: '
                             f'{problem}. Full shape received: {shape}{hint}')


def _first_problem(spec: InputSpec, shape: tuple) -> str | None:
    ndim = len(shape)
    if spec.ndim is not None and ndim != spec.ndim and not (
            spec.allow_last_axis_squeeze and ndim == spec.ndim - 1):
        return f"expected ndim={spec.ndim}, found ndim={ndim}"
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        return f"expected max_ndim={spec.max_ndim}, found ndim={ndim}"
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        return f"expected min_ndim={spec.min_ndim}, found ndim={ndim}"
    for axis, size in spec.axes.items():
        if size is None or -ndim > axis or axis >= ndim:
            continue
        if shape[axis] is not None and shape[axis] != size:
            return (f"expected axis {axis} of input shape to have value {size}, but received input "
                    f"with shape {shape}")
    if spec.shape is not None:
        for expected, received in zip(spec.shape, shape):
            if expected is not None and received is not None and expected != received:
                return f"expected shape={spec.shape}, found shape={shape}"
    return None


def shape_tuple(shape, argument: str) -> tuple:
    """One sample's shape as a tuple. A bare number has one reading, `784` -> `(784,)`:
    lamina takes it where Keras 3 cannot convert it (tests/fixtures/compat records why).

    Example:
        >>> shape_tuple([28, 28], "shape"), shape_tuple(784, "shape")
        ((28, 28), (784,))
    """
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        return (int(shape),)
    try:
        return tuple(shape)
    except TypeError:
        raise ValueError(f"Cannot convert '{shape}' to a shape: `{argument}` is one sample's "
                         f"shape as a tuple, e.g. {argument}=(784,).") from None
