"""`CategoryEncoding`: integer category ids -> one-hot, multi-hot or count vectors.

Example:
    >>> layer = lamina.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")
    >>> layer(np.array([[0, 1], [0, 0], [1, 2], [3, 1]]))
    tensor([[1., 1., 0., 0.],
            [1., 0., 0., 0.],
            [0., 1., 1., 0.],
            [0., 1., 0., 1.]])
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.layers.layer import Layer
from lamina.layers.preprocessing.arguments import refuse_sparse
from lamina.layers.preprocessing.encoding import categorical_output_shape, encode_categorical

__all__ = ["CategoryEncoding"]

_OUTPUT_MODES = ("count", "one_hot", "multi_hot")


class CategoryEncoding(Layer):
    """Encodes integer features in `[0, num_tokens)` as vectors of `num_tokens` entries.

    As in Keras 3, the last axis holds one sample's values for 'multi_hot' and 'count'
    (a 1-D input is one sample), and ids outside `[0, num_tokens)` add nothing.

    Args:
        num_tokens: the number of categories (ids run from 0 to num_tokens - 1).
        output_mode: 'multi_hot' (default), 'one_hot' or 'count'.
        sparse: not supported (lamina returns dense tensors).

    Call arguments:
        inputs: integer ids (a tensor, NumPy array or list).
        count_weights: with 'count', a weight per id, summed instead of 1s.
    """

    _accepts_integer_inputs = True

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Unknown arg for output_mode: {output_mode}. Expected one of "
                             f"{_OUTPUT_MODES}.")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is "
                             "not known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        refuse_sparse(sparse, "CategoryEncoding")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"`count_weights` is not used when `output_mode` is not `'count'`. "
                                 f"Received `count_weights={count_weights}`.")
            count_weights = backend.to_tensor(count_weights, device=inputs.device)
        indices = inputs if not inputs.is_floating_point() else inputs.to(torch.int64)
        return encode_categorical(indices, self.output_mode, self.num_tokens, self._dtype,
                                  count_weights=count_weights)

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}
