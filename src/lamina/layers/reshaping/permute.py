"""Permute: reorders the axes of each sample (the batch axis stays first)."""
from __future__ import annotations

from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

__all__ = ["Permute"]


class Permute(Layer):
    """Permutes the non-batch axes of the input; `dims` numbers them from 1.

    Args:
        dims: the new order of axes 1..n, e.g. `(2, 1)` swaps the two axes of a sequence.

    Example:
        >>> Permute((2, 1))(torch.zeros(4, 10, 64)).shape
        torch.Size([4, 64, 10])
    """

    _casts_integer_inputs = False  # moves values, computes none: integers stay, as in Keras

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of "
                             f"indices in `dims` must be consecutive and start from 1 (the batch "
                             f"axis 0 stays in place), e.g. dims=(2, 1). Received dims={dims!r}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        # A view: no copy until a later op needs contiguous memory.
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[dim] for dim in self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
