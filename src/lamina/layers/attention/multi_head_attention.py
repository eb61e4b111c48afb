"""MultiHeadAttention: Keras' multi-head attention, on `F.scaled_dot_product_attention`."""
from __future__ import annotations

import math

import numpy as np
import torch

from lamina import constraints, initializers, random, regularizers
from lamina.layers.attention.dot_product import (causal_mask, dot_product_attention,
                                                 sliding_window_mask)
from lamina.layers.attention.projection import (HeadProjection, QueryValueKeyLayer,
                                                reserve_keras_sublayer_names)

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(QueryValueKeyLayer):
    """Multi-head attention (Vaswani et al., 2017) with Keras' weights, masks and config.

    `query`, `key` and `value` are projected to `num_heads` heads, each query attends over the
    keys (softmax of `q·k / sqrt(key_dim)`), the weighted values are concatenated and projected
    back to the query's last dimension (or `output_shape`). Self-attention is `layer(x, x)`.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default `key_dim`).
        dropout: dropout rate on the attention weights (training only).
        use_bias: whether the projections have biases.
        output_shape: the output's trailing shape (default: the query's last dimension).
        attention_axes: axes attended over (default: all but batch, heads and features).
        sliding_window: if set, query `i` attends only to keys `j` with `|i - j| < window`.
        flash_attention: True requires the fused kernel (no dropout, no returned scores);
            False keeps torch from its flash kernel; None (default) lets torch choose.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: for every projection.
        use_gate: adds a sigmoid gate projected from the query (Gated Attention).
        seed: seed of the dropout.

    Call arguments:
        query: `(B, T, dim)`; value: `(B, S, dim)`; key: `(B, S, dim)` (default `value`).
        query_mask, value_mask, key_mask: `(B, T)` / `(B, S)` booleans; default the Keras
            masks the tensors carry (from `Embedding(mask_zero=True)` or `Masking`).
        attention_mask: `(B, T, S)` booleans, True where query `t` may attend to key `s`.
        return_attention_scores: also return the weights `(B, num_heads, T, S)`.
        training: whether dropout is active.
        use_causal_mask: query `t` attends only to keys `s <= t` (decoders).

    A query row whose keys are all masked attends to all keys alike (the mean of the values),
    as Keras' fused path gives; with a dropout rate or returned scores Keras takes its masked
    softmax instead, and the row gets weights 0 and output `output_dense`'s bias.

    Example:
        >>> layer = MultiHeadAttention(num_heads=2, key_dim=16)
        >>> x = torch.zeros(4, 10, 32)
        >>> output, scores = layer(x, x, return_attention_scores=True)
        >>> tuple(output.shape), tuple(scores.shape), layer.count_params()
        ((4, 10, 32), (4, 2, 10, 10), 4224)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape=None,
                 attention_axes=None, sliding_window: int | None = None,
                 flash_attention: bool | None = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate: bool = False,
                 seed: int | None = None, **kwargs):
        _check_positive_int(num_heads, "num_heads", "a positive integer")
        _check_positive_int(key_dim, "key_dim", "a positive integer")
        if value_dim is not None:
            _check_positive_int(value_dim, "value_dim", "a positive integer or `None`")
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        if (isinstance(dropout, bool) or not isinstance(dropout, (int, float))
                or not 0 <= dropout < 1):
            raise ValueError(f"Invalid value received for argument `dropout`. Expected a float "
                             f"value between 0 and 1 (1 excluded). Received: dropout={dropout!r}")
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        self._output_shape = _standardize_output_shape(output_shape)
        if isinstance(attention_axes, int) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"`attention_axes` must be an int, list, or tuple. "
                             f"Received: attention_axes={attention_axes!r}")
        self._attention_axes = attention_axes
        if sliding_window is not None:
            _check_positive_int(sliding_window, "sliding_window", "`None` or a positive integer")
        self._sliding_window = sliding_window
        if flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please set "
                             "dropout to 0.0 to use flash attention.")
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._seed_generator = random.SeedGenerator(seed)
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)

    # ------------------------------------------------------------------ build
    def build(self, query_shape, value_shape, key_shape=None) -> None:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        _check_value_key(value_shape, key_shape)
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) < 3:
                raise ValueError(
                    f"Layer '{self.name}' (MultiHeadAttention) expects `{name}` of rank >= 3, "
                    f"(batch, sequence, features), but received shape {shape}. For one vector "
                    f"per sample add a sequence axis: `x[:, None, :]` or "
                    f"`Reshape((1, {shape[-1]}))`.")
        query_heads = (self._num_heads, self._key_dim)
        value_heads = (self._num_heads, self._value_dim)
        self.query_dense = self._projection(1, query_heads, "query", query_shape)
        self.key_dense = self._projection(1, query_heads, "key", key_shape)
        if self._use_gate:
            self.gate_dense = self._projection(1, value_heads, "gate", query_shape,
                                               activation="sigmoid")
        self.value_dense = self._projection(1, value_heads, "value", value_shape)
        rank = len(value_shape) + 1  # rank of the projected tensors (..., heads, head size)
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(a if a >= 0 else (rank - 1) + a
                                         for a in self._attention_axes)
        batch_axes = [a for a in range(rank - 1) if a not in self._attention_axes]
        self._permutation = batch_axes + list(self._attention_axes) + [rank - 1]
        self._inverse_permutation = [int(a) for a in np.argsort(self._permutation)]
        self._num_batch_axes = len(batch_axes)
        output_dims = self._output_shape or (query_shape[-1],)
        self.output_dense = self._projection(2, output_dims, "attention_output",
                                             query_shape[:-1] + (self._num_heads, self._value_dim))
        reserve_keras_sublayer_names()

    def _projection(self, bound_dims, output_dims, name, input_shape, activation=None):
        projection = HeadProjection(
            bound_dims, output_dims, use_bias=self._use_bias, activation=activation, name=name,
            kernel_initializer=self._kernel_initializer, bias_initializer=self._bias_initializer,
            kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer, dtype=self.dtype_policy,
            kernel_constraint=self._kernel_constraint, bias_constraint=self._bias_constraint)
        projection.build_from_shape(input_shape)
        return projection

    # ------------------------------------------------------------------ call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if self._flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash attention is "
                             "enabled. Please disable flash attention to access attention scores.")
        # Keras 3.15 reads the query's mask from the query alone: an explicit `query_mask=`
        # is overwritten by it (None when the query carries none), and so here.
        query_mask = getattr(query, "_keras_mask", None)
        value_mask = _mask_of(value, value_mask)
        key_mask = _mask_of(key, key_mask) if key is not None else key_mask
        # The masks are read: the projections get the tensors without them, as in Keras.
        query, value = _unmasked(self._prepare_leaf(query)), _unmasked(self._prepare_leaf(value))
        key = value if key is None else _unmasked(self._prepare_leaf(key))
        causal_only = (use_causal_mask and attention_mask is None and self._sliding_window is None
                       and query_mask is None and value_mask is None and key_mask is None)
        mask = None if causal_only else self._attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        gate = self.gate_dense(query) if self._use_gate else None
        query, key, value = self.query_dense(query), self.key_dense(key), self.value_dense(value)
        attention_output, scores = self._compute_attention(
            query, key, value, mask, training, return_attention_scores, causal_only)
        if gate is not None:
            attention_output = attention_output * gate
        attention_output = self.output_dense(attention_output)
        if query_mask is not None:
            attention_output._keras_mask = _as_bool(query_mask, attention_output.device)
        if return_attention_scores:
            return attention_output, scores
        return attention_output

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """Keras' combined mask `(B, T, S)`: the inputs' masks, the causal and window masks,
        and `attention_mask`, joined with AND (None when there is none)."""
        parts = []
        if query_mask is not None:
            parts.append(_as_bool(query_mask, query.device).unsqueeze(-1))
        for mask in (value_mask, key_mask):
            if mask is not None:
                parts.append(_as_bool(mask, query.device).unsqueeze(-2))
        if use_causal_mask:
            parts.append(causal_mask(query.shape[1], value.shape[1], query.device))
        if self._sliding_window is not None:
            parts.append(sliding_window_mask(query.shape[1], value.shape[1], self._sliding_window,
                                             query.device))
        if attention_mask is not None:
            parts.insert(0, _as_bool(attention_mask, query.device))
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part
        return combined

    def _compute_attention(self, query, key, value, mask, training, return_scores, is_causal):
        """Attention of the projected `(B, ..., heads, size)` tensors, on flattened axes."""
        query, query_sizes = self._flatten(query)
        key, key_sizes = self._flatten(key)
        value, _ = self._flatten(value)
        if mask is not None:
            mask = self._flatten_mask(mask, query_sizes, key_sizes)
        dropout = None
        if training and self._dropout > 0:
            def dropout(weights):
                return random.dropout(weights, self._dropout, seed=self._seed_generator)
        outputs, scores = dot_product_attention(
            query, key, value, self._inverse_sqrt_key_dim, mask=mask, is_causal=is_causal,
            dropout=dropout, return_scores=return_scores,
            allow_flash=self._flash_attention is not False, explicit=self._dropout > 0)
        lead = outputs.shape[:self._num_batch_axes]
        outputs = outputs.reshape(*lead, *query_sizes, outputs.shape[-1])
        outputs = outputs.permute(self._inverse_permutation)
        if scores is not None:
            scores = scores.reshape(*lead, *query_sizes, *key_sizes)
        return outputs, scores

    def _flatten(self, tensor):
        # (B, ..., heads, size) -> (batch axes..., attended positions, size): one "sequence"
        # axis, so SDPA's kernels apply whatever `attention_axes` are.
        moved = tensor.permute(self._permutation)
        sizes = tuple(moved.shape[self._num_batch_axes:-1])
        return moved.reshape(*moved.shape[:self._num_batch_axes], -1, moved.shape[-1]), sizes

    def _flatten_mask(self, mask, query_sizes, key_sizes):
        attended = len(self._attention_axes)
        scores_rank = self._num_batch_axes + 2 * attended
        if mask.dim() > scores_rank:
            raise ValueError(f"Layer '{self.name}': `attention_mask` must have at most "
                             f"{scores_rank} dimensions (batch, query and key positions), but "
                             f"the combined mask has shape {tuple(mask.shape)}.")
        while mask.dim() < scores_rank:  # Keras adds the missing axes where the heads go
            mask = mask.unsqueeze(-2 * attended - 1)
        lead = mask.shape[:self._num_batch_axes]
        mask = mask.expand(*lead, *query_sizes, *key_sizes)
        return mask.reshape(*lead, math.prod(query_sizes), math.prod(key_sizes))

    # ------------------------------------------------------------------ shapes and config
    def has_own_output_shape(self) -> bool:
        # The outputs' structure depends on call arguments (return_attention_scores) and query
        # may come as a keyword, which `compute_output_shape(query_shape, ...)` cannot see:
        # symbolic calls infer the outputs by running `call` on meta tensors.
        return False

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        _check_value_key(value_shape, value_shape if key_shape is None else tuple(key_shape))
        if self._output_shape:
            return query_shape[:-1] + self._output_shape
        return query_shape

    def compute_mask(self, inputs, mask=None):
        # The attention output carries the query's mask (the scores none), as in Keras.
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def get_config(self) -> dict:
        return {**super().get_config(),
                "num_heads": self._num_heads,
                "key_dim": self._key_dim,
                "value_dim": self._value_dim,
                "dropout": self._dropout,
                "use_bias": self._use_bias,
                "use_gate": self._use_gate,
                "output_shape": self._output_shape,
                "attention_axes": self._attention_axes,
                "sliding_window": self._sliding_window,
                "kernel_initializer": initializers.serialize(self._kernel_initializer),
                "bias_initializer": initializers.serialize(self._bias_initializer),
                "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self._bias_regularizer),
                "activity_regularizer": regularizers.serialize(self._activity_regularizer),
                "kernel_constraint": constraints.serialize(self._kernel_constraint),
                "bias_constraint": constraints.serialize(self._bias_constraint),
                "seed": self.seed}


def _check_positive_int(value, name: str, expected: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Received an invalid value for argument `{name}`, expected {expected}. "
                         f"Received: {name}={value!r}")


def _standardize_output_shape(output_shape):
    if not output_shape:
        return None
    if isinstance(output_shape, int) and not isinstance(output_shape, bool):
        return (output_shape,)
    try:
        return tuple(int(d) for d in output_shape)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid `output_shape`: {output_shape!r}. When specified, the "
                         f"`output_shape` should be of type tuple, list, or int.") from None


def _check_value_key(value_shape, key_shape) -> None:
    if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
        raise ValueError(f"All dimensions of `value` and `key`, except the last one, must be "
                         f"equal. Received: value_shape={tuple(value_shape)} and "
                         f"key_shape={tuple(key_shape)}")


def _mask_of(tensor, given):
    """The mask given for `tensor`, else the Keras mask it carries."""
    return given if given is not None else getattr(tensor, "_keras_mask", None)


def _unmasked(tensor):
    """`tensor` without the Keras mask it carries (a view: no copy)."""
    return tensor.view_as(tensor) if getattr(tensor, "_keras_mask", None) is not None else tensor


def _as_bool(mask, device):
    mask = torch.as_tensor(mask, device=device)
    return mask if mask.dtype == torch.bool else mask != 0
