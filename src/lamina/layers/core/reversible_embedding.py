"""ReversibleEmbedding: an Embedding that can also project vectors back onto the vocabulary.

`layer(ids)` looks rows up as `Embedding` does; `layer(hidden, reverse=True)` multiplies by
the transposed embedding matrix (or by a separate `reverse_embeddings` matrix when
`tie_weights=False`), giving a language model's logits from the same weights.

Example:
    >>> layer = ReversibleEmbedding(100, 8)
    >>> hidden = layer(torch.tensor([[3, 7, 0]]))
    >>> hidden.shape, layer(hidden, reverse=True).shape
    (torch.Size([1, 3, 8]), torch.Size([1, 3, 100]))
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.layers.core.embedding import Embedding

__all__ = ["ReversibleEmbedding"]


class ReversibleEmbedding(Embedding):
    """An `Embedding` whose `call(..., reverse=True)` maps `(..., output_dim)` to logits.

    Args:
        input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
        embeddings_constraint, mask_zero: as in `Embedding`.
        tie_weights: the reverse projection uses the transposed `embeddings` (default True);
            False adds a trainable `reverse_embeddings` matrix `(output_dim, input_dim)`.
        reverse_dtype: dtype of the reverse projection's inputs, weights and logits
            (default None: the layer's compute dtype).
        logit_soft_cap: if set, logits become `tanh(logits / cap) * cap`.

    Example:
        >>> layer = ReversibleEmbedding(10, 4, tie_weights=False)
        >>> layer.build((None, 3))
        >>> layer.count_params()
        80
    """

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        # Set before Embedding's constructor, which builds when given a shape or weights.
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self.reverse_embeddings = None
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)

    def build(self, input_shape=None) -> None:
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim), name="reverse_embeddings",
                initializer=self.embeddings_initializer, trainable=True)

    def call(self, inputs, reverse=False):
        if not reverse:
            outputs = super().call(inputs)
            if self.mask_zero:
                # The mask is set here, not in compute_mask: a reverse call has none.
                outputs._keras_mask = inputs != 0
            return outputs
        kernel = self.embeddings.T if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            dtype = backend.torch_dtype(self.reverse_dtype)
            inputs, kernel = inputs.to(dtype), kernel.to(dtype)
        logits = torch.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        return None

    def has_own_output_shape(self) -> bool:
        # The shape depends on the `reverse` call argument: symbolic calls run `call` on meta
        # tensors.
        return False

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return (*input_shape, self.output_dim)

    def get_config(self) -> dict:
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
