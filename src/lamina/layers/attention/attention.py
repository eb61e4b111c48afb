"""Attention: dot-product (Luong-style) attention of a query sequence over a value sequence."""
from __future__ import annotations

import torch

from lamina import ops, random
from lamina.layers.attention.dot_product import causal_mask
from lamina.layers.layer import Layer
from lamina.ops.keras_tensor import KerasTensor

__all__ = ["Attention"]


class Attention(Layer):
    """Dot-product attention: `softmax(scores(query, key)) @ value`, as Keras' `Attention`.

    Args:
        use_scale: whether to learn a scalar `scale` multiplying the scores.
        score_mode: "dot" (`query @ key^T`) or "concat" (`sum(tanh(query + key))`, times a
            learned `concat_score_weight`).
        dropout: dropout rate on the attention weights (training only).
        seed: seed of the dropout.

    Call arguments:
        inputs: `[query, value]` or `[query, value, key]`; query `(B, Tq, dim)`, value and key
            `(B, Tv, dim)` (key defaults to value).
        mask: `[query_mask, value_mask]` booleans `(B, Tq)`, `(B, Tv)`; default the Keras masks
            the inputs carry. Masked values get no weight; masked queries output 0.
        return_attention_scores: also return the weights `(B, Tq, Tv)` (after dropout).
        training: whether dropout is active.
        use_causal_mask: query `i` attends only to values `j <= i`.

    Example:
        >>> query, value = torch.ones(2, 3, 4), torch.arange(40.0).reshape(2, 5, 4)
        >>> Attention()([query, value]).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if (isinstance(dropout, bool) or not isinstance(dropout, (int, float))
                or not 0 <= dropout < 1):
            raise ValueError(f"Invalid value received for argument `dropout`. Expected a float "
                             f"value between 0 and 1 (1 excluded). Received: dropout={dropout!r}")
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if self.dropout > 0:
            self.seed_generator = random.SeedGenerator(seed)
        if self.score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode!r}")
        self.scale = None
        self.concat_score_weight = None
        self.supports_masking = True

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    def _calculate_scores(self, query, key):
        """Scores `(B, Tq, Tv)` of every query against every key."""
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-1, -2))
            return scores * self.scale if self.scale is not None else scores
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.tanh(summed).sum(dim=-1)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = _as_bool(mask[0], query.device) if mask and mask[0] is not None else None
        value_mask = _as_bool(mask[1], query.device) if mask and mask[1] is not None else None
        scores = self._calculate_scores(query, key)
        scores_mask = value_mask.unsqueeze(-2) if value_mask is not None else None
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1], scores.device)
            scores_mask = causal if scores_mask is None else scores_mask & causal
        if scores_mask is not None:
            # Keras subtracts a large number (not -inf): a row with no key left stays finite.
            large = 65504.0 if scores.dtype == torch.float16 else 1.0e9
            scores = torch.where(scores_mask, scores, scores - large)
        weights = torch.softmax(scores, dim=-1)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        outputs = torch.matmul(weights, value)
        if query_mask is not None:
            outputs = outputs.masked_fill(~query_mask.unsqueeze(-1), 0.0)
        if return_attention_scores:
            return outputs, weights
        return outputs

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        if isinstance(mask[0], KerasTensor):  # a graph's mask: a node, as Keras' summary shows
            return ops.convert_to_tensor(mask[0])
        return _as_bool(mask[0], None)

    def has_own_output_shape(self) -> bool:
        # With return_attention_scores the call returns two tensors, which
        # `compute_output_shape(input_shape)` cannot know: symbolic calls run `call` on meta.
        return False

    def compute_output_shape(self, input_shape):
        query_shape, value_shape = input_shape[0], input_shape[1]
        return (*query_shape[:-1], value_shape[-1])

    def _validate_inputs(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, "
                             f"value] or [query, value, key]. Received: "
                             f"inputs={_describe(inputs)}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, "
                             f"value] or [query, value, key]. Received length: {len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={_describe(mask)}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. Received "
                                 f"{len(mask)} masks.")

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


def _as_bool(mask, device):
    mask = torch.as_tensor(mask, device=device)
    return mask if mask.dtype == torch.bool else mask != 0


def _describe(value) -> str:
    shape = getattr(value, "shape", None)
    return f"a tensor of shape {tuple(shape)}" if shape is not None else repr(value)
