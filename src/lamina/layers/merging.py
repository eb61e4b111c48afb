"""Layers that merge a list of inputs: Concatenate, Dot, Add, Subtract, Multiply, Average, ...

Shapes are checked when the layer is called on symbolic inputs (`compute_output_shape`), so a
mismatch is reported while the model is built, naming the layer and the shapes, instead of as
a raw PyTorch error in the middle of `fit`.

Example:
    >>> a, b = lamina.Input(shape=(3,)), lamina.Input(shape=(3,))
    >>> lamina.layers.Add()([a, b]).shape
    (None, 3)
"""
from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.layers.base import Layer

__all__ = ["Concatenate", "Dot", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "concatenate", "dot", "add", "subtract", "multiply", "average", "maximum", "minimum"]


class _MergeBase(Layer):
    """Shared checks of every merge layer: a list of inputs, of an allowed length."""

    # Exact number of inputs the layer takes (None: one or more).
    _num_inputs: int | None = None

    def _check_inputs(self, inputs) -> list:
        """The inputs as a list; a single tensor or a wrong count is an error naming the layer."""
        if not isinstance(inputs, (list, tuple)):
            shape = getattr(inputs, "shape", None)
            received = (f"a single {type(inputs).__name__} of shape {tuple(shape)}"
                        if shape is not None else repr(inputs))
            raise ValueError(f"A merge layer should be called on a list of inputs. Layer "
                             f"'{self.name}' ({type(self).__name__}) received {received}; pass "
                             f"the tensors as a list of at least 2 inputs, e.g. "
                             f"`{type(self).__name__}(...)([x1, x2])`.")
        self._check_count(len(inputs), inputs)
        return list(inputs)

    def _check_shapes(self, input_shape) -> list[tuple]:
        """`input_shape` as a list of tuples, checked like `_check_inputs` checks tensors."""
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"A merge layer should be called on a list of inputs. Layer "
                             f"'{self.name}' ({type(self).__name__}) received "
                             f"input_shape={input_shape} (not a list of shapes); pass the "
                             f"tensors as a list of at least 2 inputs, e.g. "
                             f"`{type(self).__name__}(...)([x1, x2])`.")
        shapes = [tuple(s) for s in input_shape]
        self._check_count(len(shapes), shapes)
        return shapes

    def _check_count(self, count: int, items: list) -> None:
        """`items` are the inputs or their shapes; read only to word an error."""
        expected = self._num_inputs
        if count == 0 or (expected is not None and count != expected):
            wanted = f"exactly {expected}" if expected is not None else "at least 1"
            shapes = [tuple(getattr(item, "shape", item)) for item in items]
            raise ValueError(f"A `{type(self).__name__}` layer should be called on {wanted} "
                             f"inputs. Layer '{self.name}' received {count}: "
                             f"input_shape={shapes}")


class _Merge(_MergeBase):
    """Base of the elementwise merges: tensors of one shape, or shapes that broadcast.

    As in Keras, an input of lower rank gains axes right after the batch axis, and axes of
    size 1 broadcast.
    """

    def call(self, inputs):
        inputs = self._check_inputs(inputs)
        ranks = [x.ndim for x in inputs]
        if min(ranks) != max(ranks):
            inputs = [x.reshape(x.shape[:1] + (1,) * (max(ranks) - x.ndim) + x.shape[1:])
                      for x in inputs]
        try:
            return self._merge(inputs)
        except RuntimeError:
            # Let the shape check say what is wrong, in Keras' words; else keep torch's error.
            self.compute_output_shape([tuple(x.shape) for x in inputs])
            raise

    def _merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        shapes = self._check_shapes(input_shape)
        batch_sizes = {s[0] for s in shapes if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(f"Cannot merge tensors with different batch sizes in layer "
                             f"'{self.name}' ({type(self).__name__}). Received tensors with "
                             f"shapes {shapes}")
        output = shapes[0][1:]
        for shape in shapes[1:]:
            output = self._broadcast(output, shape[1:], shapes)
        return (batch_sizes.pop() if batch_sizes else None,) + output

    def _broadcast(self, shape1: tuple, shape2: tuple, shapes: list) -> tuple:
        """Keras' elementwise output shape of two per-sample shapes (right-aligned)."""
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return shape1
        output = list(shape1[:len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                output.append(None)
            elif i == 1 or j == 1:
                output.append(j if i == 1 else i)
            elif i != j:
                raise ValueError(f"Inputs of layer '{self.name}' ({type(self).__name__}) have "
                                 f"incompatible shapes. Received shapes {shape1} and {shape2} "
                                 f"(full input shapes: {shapes}). Elementwise merges need equal "
                                 f"shapes, or axes of size 1 that broadcast.")
            else:
                output.append(i)
        return tuple(output)


class Add(_Merge):
    """Sums a list of tensors of the same shape.

    Example:
        >>> Add()([torch.ones(2), torch.ones(2)])
        tensor([2., 2.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.add, inputs)


class Subtract(_Merge):
    """Subtracts the second of two tensors from the first.

    Example:
        >>> Subtract()([torch.ones(2), torch.ones(2)])
        tensor([0., 0.])
    """

    _num_inputs = 2

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Multiplies a list of tensors elementwise.

    Example:
        >>> Multiply()([torch.full((2,), 2.0), torch.full((2,), 3.0)])
        tensor([6., 6.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.mul, inputs)


class Average(_Merge):
    """Averages a list of tensors elementwise.

    Example:
        >>> Average()([torch.zeros(2), torch.full((2,), 4.0)])
        tensor([2., 2.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.add, inputs) / len(inputs)


class Maximum(_Merge):
    """Elementwise maximum of a list of tensors.

    Example:
        >>> Maximum()([torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])])
        tensor([3., 5.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.maximum, inputs)


class Minimum(_Merge):
    """Elementwise minimum of a list of tensors.

    Example:
        >>> Minimum()([torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])])
        tensor([1., 2.])
    """

    def _merge(self, inputs):
        return functools.reduce(torch.minimum, inputs)


class Concatenate(_MergeBase):
    """Concatenates a list of tensors along `axis` (default: the last).

    All inputs must have the same shape except along `axis`.

    Args:
        axis: the axis to concatenate along.

    Example:
        >>> Concatenate()([torch.ones(2, 3), torch.ones(2, 5)]).shape
        torch.Size([2, 8])
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        inputs = self._check_inputs(inputs)
        try:
            return torch.cat(inputs, dim=self.axis)
        except (RuntimeError, IndexError):
            self.compute_output_shape([tuple(x.shape) for x in inputs])
            raise

    def compute_output_shape(self, input_shape):
        shapes = self._check_shapes(input_shape)
        message = (f"A `Concatenate` layer requires inputs with matching shapes except for the "
                   f"concatenation axis. Layer '{self.name}' (axis={self.axis}) received: "
                   f"input_shape={shapes}")
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise ValueError(message + " (the inputs differ in rank).")
        if not -rank <= self.axis < rank:
            raise ValueError(f"Layer '{self.name}' (Concatenate) got axis={self.axis}, which is "
                             f"out of range for inputs of rank {rank}: input_shape={shapes}")
        axis = self.axis % rank
        output = []
        for index, sizes in enumerate(zip(*shapes)):
            known = {d for d in sizes if d is not None}
            if index == axis:
                output.append(None if None in sizes else sum(sizes))
            elif len(known) > 1:
                raise ValueError(message + f" (axis {index} differs: {sorted(known)}).")
            else:
                output.append(known.pop() if known else None)
        return tuple(output)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Dot(_MergeBase):
    """Batchwise dot product of two tensors along `axes` (cosine similarity if `normalize`).

    For inputs of shapes `(batch, *a)` and `(batch, *b)`, the axis `axes[0]` of the first is
    summed against the axis `axes[1]` of the second; the output holds the remaining axes of
    the first, then those of the second. A result of rank 1 becomes `(batch, 1)`.

    Args:
        axes: an int (the same axis for both inputs) or a pair of ints; negative axes count
            from the end; the batch axis 0 cannot be used.
        normalize: whether to L2-normalize both inputs along the dot axes first, so the
            output is the cosine proximity of the samples.

    Example:
        >>> x = torch.arange(10.0).reshape(1, 5, 2)
        >>> y = torch.arange(10.0, 20.0).reshape(1, 2, 5)
        >>> Dot(axes=(1, 2))([x, y])
        tensor([[[260., 360.],
                 [320., 445.]]])
    """

    _num_inputs = 2

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. "
                                f"Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Invalid format for argument `axes`: list elements should be "
                                 f"integers. Received: axes={axes}")
        self.axes = list(axes) if isinstance(axes, tuple) else axes
        self.normalize = bool(normalize)

    def _positive_axes(self, rank1: int, rank2: int) -> tuple[int, int]:
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        return pair[0] % rank1, pair[1] % rank2

    def call(self, inputs):
        x, y = self._check_inputs(inputs)
        if x.ndim < 2 or y.ndim < 2:
            self.compute_output_shape([tuple(x.shape), tuple(y.shape)])
        axis_x, axis_y = self._positive_axes(x.ndim, y.ndim)
        if axis_x == 0 or axis_y == 0 or x.shape[axis_x] != y.shape[axis_y]:
            self.compute_output_shape([tuple(x.shape), tuple(y.shape)])
        if self.normalize:
            x = F.normalize(x, dim=axis_x, eps=backend.epsilon())
            y = F.normalize(y, dim=axis_y, eps=backend.epsilon())
        return _batch_dot(x, y, axis_x, axis_y)

    def compute_output_shape(self, input_shape):
        shape1, shape2 = self._check_shapes(input_shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"Layer '{self.name}' (Dot) needs inputs of rank 2 or more (a batch "
                             f"axis and a dot axis). Received shapes {shape1} and {shape2}.")
        axis1, axis2 = self._positive_axes(len(shape1), len(shape2))
        if axis1 == 0 or axis2 == 0:
            raise ValueError(f"Layer '{self.name}' (Dot) cannot take the dot product over axis 0, "
                             f"the batch axis (axes={self.axes}). If your inputs are not batched, "
                             f"add a batch axis with `keras.ops.expand_dims(x, 0)`.")
        size1, size2 = shape1[axis1], shape2[axis2]
        if size1 is not None and size2 is not None and size1 != size2:
            raise ValueError(f"Incompatible input shapes in layer '{self.name}' (Dot): axis values "
                             f"{size1} (at axis {axis1}) != {size2} (at axis {axis2}). Full input "
                             f"shapes: {shape1}, {shape2}")
        batch = shape1[0] if shape1[0] is not None else shape2[0]
        output = ((batch,) + shape1[1:axis1] + shape1[axis1 + 1:]
                  + shape2[1:axis2] + shape2[axis2 + 1:])
        return output + (1,) if len(output) == 1 else output

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _batch_dot(x: torch.Tensor, y: torch.Tensor, axis_x: int, axis_y: int) -> torch.Tensor:
    """Sums `x`'s axis `axis_x` against `y`'s axis `axis_y`, sample by sample.

    One batched matmul: `x` becomes (batch, rest_x, k), `y` becomes (batch, k, rest_y).
    """
    x = x.movedim(axis_x, -1)
    y = y.movedim(axis_y, 1)
    rest_x, rest_y = x.shape[1:-1], y.shape[2:]
    product = torch.bmm(x.reshape(x.shape[0], -1, x.shape[-1]),
                        y.reshape(y.shape[0], y.shape[1], -1))
    output = product.reshape(x.shape[:1] + rest_x + rest_y)
    return output.unsqueeze(-1) if output.ndim == 1 else output


def _functional(layer_class, signature: str):
    def merge(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)

    merge.__name__ = layer_class.__name__.lower()
    width = 4 if layer_class is Concatenate else 2
    merge.__doc__ = (f"Functional form of `{layer_class.__name__}`: `{signature}`.\n\n"
                     f"Example:\n"
                     f"    >>> {merge.__name__}([torch.ones(1, 2), torch.ones(1, 2)]).shape\n"
                     f"    torch.Size([1, {width}])\n")
    return merge


add = _functional(Add, "add([a, b])")
subtract = _functional(Subtract, "subtract([a, b])")
multiply = _functional(Multiply, "multiply([a, b])")
average = _functional(Average, "average([a, b])")
maximum = _functional(Maximum, "maximum([a, b])")
minimum = _functional(Minimum, "minimum([a, b])")
concatenate = _functional(Concatenate, "concatenate([a, b], axis=-1)")


def dot(inputs, axes=-1, normalize: bool = False, **kwargs):
    """Functional form of `Dot`: the batchwise dot product of two tensors along `axes`.

    Args:
        inputs: a list of 2 tensors.
        axes: an int or a pair of ints (default -1, the last axis of both).
        normalize: whether to return the cosine proximity instead.
        **kwargs: layer arguments such as `name`.

    Returns:
        The dot products, of shape `(batch, 1)` for two batches of vectors.

    Example:
        >>> dot([torch.ones(2, 3), torch.ones(2, 3)], axes=1)
        tensor([[3.],
                [3.]])
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
