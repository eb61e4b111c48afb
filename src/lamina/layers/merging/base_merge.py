"""The shared base of merge layers: a list of inputs, of an allowed length, and broadcasting."""
from __future__ import annotations

import torch

from lamina import ops
from lamina.layers.layer import Layer

__all__ = ["functional_form"]


class _MergeBase(Layer):
    """Shared checks of every merge layer: a list of inputs, of an allowed length."""

    # Exact number of inputs the layer takes (None: one or more).
    _num_inputs: int | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def __call__(self, *args, **kwargs):
        if len(args) > 1:
            shapes = [tuple(getattr(arg, "shape", ())) for arg in args]
            raise TypeError(f"Layer '{self.name}' ({type(self).__name__}) takes its inputs as one "
                            f"list, but received {len(args)} positional arguments (shapes "
                            f"{shapes}): too many positional arguments. Put the tensors in square "
                            f"brackets: `{type(self).__name__}()([a, b])`.")
        return super().__call__(*args, **kwargs)

    def _check_masks(self, inputs, mask) -> list | None:
        """The per-input masks (None when no input is masked), checked as Keras checks them."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError(f"`mask` should be a list. Received: mask={mask}")  # noqa: TRY004
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(  # noqa: TRY004 - Keras' error type
                f"`inputs` should be a list. Received: inputs={inputs}")
        if len(mask) != len(inputs):
            raise ValueError(f"The lists `inputs` and `mask` should have the same length. "
                             f"Received: inputs of length {len(inputs)}, and mask of length "
                             f"{len(mask)}")
        return list(mask)

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

    def compute_mask(self, inputs, mask=None):
        """A step is kept where any input keeps it (None when some input has no mask), as Keras."""
        masks = self._check_masks(inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        output = masks[0]
        for m in masks[1:]:
            output = ops.logical_or(output, m)
        return output

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


def functional_form(layer_class, signature: str, width: int = 2):
    """The lowercase function Keras pairs with a merge layer: `add([a, b])` is `Add()([a, b])`."""
    def merge(inputs, **kwargs):
        return layer_class(**kwargs)(inputs)

    merge.__name__ = layer_class.__name__.lower()
    merge.__doc__ = (f"Functional form of `{layer_class.__name__}`: `{signature}`.\n\n"
                     f"Example:\n"
                     f"    >>> {merge.__name__}([torch.ones(1, 2), torch.ones(1, 2)]).shape\n"
                     f"    torch.Size([1, {width}])\n")
    return merge
