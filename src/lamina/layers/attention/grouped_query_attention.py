"""GroupedQueryAttention (`keras.layers.GroupQueryAttention`): queries in many heads share
fewer key/value heads (Ainslie et al., 2023), on `F.scaled_dot_product_attention`.

Keras' class is GroupedQueryAttention, exported as GroupQueryAttention; summaries, default
names and the weight paths in .keras files use the class name, as here.

Example:
    >>> layer = GroupQueryAttention(head_dim=16, num_query_heads=8, num_key_value_heads=2)
    >>> x = torch.zeros(4, 10, 32)
    >>> output, scores = layer(x, x, return_attention_scores=True)
    >>> tuple(output.shape), tuple(scores.shape), layer.count_params()
    ((4, 10, 32), (4, 8, 10, 10), 10464)
"""
from __future__ import annotations

import math

from lamina import config, constraints, initializers, random, regularizers
from lamina.layers.attention.dot_product import (causal_mask, dot_product_attention,
                                                 sliding_window_mask)
from lamina.layers.attention.multi_head_attention import (_as_bool, _check_value_key, _mask_of,
                                                        _unmasked)
from lamina.layers.attention.projection import (HeadProjection, QueryValueKeyLayer,
                                                reserve_keras_sublayer_names)

__all__ = ["GroupQueryAttention", "GroupedQueryAttention"]


class GroupedQueryAttention(QueryValueKeyLayer):
    """Grouped-query attention: `num_query_heads` query heads over `num_key_value_heads`.

    Each key/value head serves `num_query_heads // num_key_value_heads` consecutive query
    heads; `num_key_value_heads=1` is multi-query attention, `num_query_heads` is
    multi-head attention. The output is projected back to the query's last dimension.

    Args:
        head_dim: size of each attention head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key and value heads (must divide `num_query_heads`).
        dropout: dropout rate on the attention weights (training only).
        use_bias: whether the projections have biases.
        sliding_window: if set, query `i` attends only to keys `j` with `|i - j| < window`.
        flash_attention: None (default) lets torch choose its kernel; True requires no
            dropout and no returned scores.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: for every projection.
        use_gate: adds a sigmoid gate projected from the query (Gated Attention).
        seed: seed of the dropout.

    Call arguments:
        query `(B, T, dim)`, value `(B, S, dim)`, key `(B, S, dim)` (default `value`);
        query_mask, value_mask, key_mask, attention_mask `(B, T, S)`, return_attention_scores
        (also return the weights `(B, num_query_heads, T, S)`), training, use_causal_mask:
        as in `MultiHeadAttention`.
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(f"`num_query_heads` must be divisible by `num_key_value_heads`. "
                             f"Received: num_query_heads={num_query_heads}, "
                             f"num_key_value_heads={num_key_value_heads}")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        if sliding_window is not None and (
                isinstance(sliding_window, bool) or not isinstance(sliding_window, int)
                or sliding_window <= 0):
            raise ValueError(f"`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention or config.is_flash_attention_enabled()
        if self._flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please set "
                             "dropout to 0.0 to use flash attention.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._seed_generator = random.SeedGenerator(seed)
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))

    # ------------------------------------------------------------------ build
    def build(self, query_shape, value_shape, key_shape=None) -> None:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self.feature_dim = query_shape[-1]
        query_heads = (self.num_query_heads, self.head_dim)
        value_heads = (self.num_key_value_heads, self.head_dim)
        # Keras' order: query, key, gate, value, attention_output.
        self._query_dense = self._projection(1, query_heads, "query", query_shape)
        self._key_dense = self._projection(1, value_heads, "key", key_shape)
        if self.use_gate:
            self._gate_dense = self._projection(1, query_heads, "gate", query_shape, "sigmoid")
        self._value_dense = self._projection(1, value_heads, "value", value_shape)
        self._output_dense = self._projection(2, (self.feature_dim,), "attention_output",
                                              (None, None) + query_heads)
        reserve_keras_sublayer_names()

    def _projection(self, bound_dims, output_dims, name, input_shape, activation=None):
        # Each projection gets its own copy of the initializers, as in Keras.
        projection = HeadProjection(
            bound_dims, output_dims, use_bias=self.use_bias, activation=activation, name=name,
            kernel_initializer=initializers.deserialize(
                initializers.serialize(self.kernel_initializer)),
            bias_initializer=initializers.deserialize(
                initializers.serialize(self.bias_initializer)),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self.activity_regularizer, dtype=self.dtype_policy,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint)
        projection.build_from_shape(input_shape)
        return projection

    # ------------------------------------------------------------------ call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if self._flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash attention is "
                             "enabled. Please disable flash attention to access attention scores.")
        query_mask = _mask_of(query, query_mask)
        value_mask = _mask_of(value, value_mask)
        key_mask = _mask_of(key, key_mask) if key is not None else key_mask
        # The masks are read: the projections get the tensors without them, as in Keras.
        query, value = _unmasked(self._prepare_leaf(query)), _unmasked(self._prepare_leaf(value))
        key = value if key is None else _unmasked(self._prepare_leaf(key))
        causal_only = (use_causal_mask and attention_mask is None and self.sliding_window is None
                       and query_mask is None and value_mask is None and key_mask is None)
        mask = None if causal_only else self._attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        # (B, T, heads, head_dim) -> (B, heads, T, head_dim); the key/value heads are repeated
        # so that each serves its group of consecutive query heads.
        query = self._query_dense(query).transpose(1, 2)
        key = self._key_dense(key).repeat_interleave(self.num_repeats, dim=2).transpose(1, 2)
        value = self._value_dense(value).repeat_interleave(self.num_repeats, dim=2).transpose(1, 2)
        dropout = None
        if training and self.dropout > 0:
            def dropout(weights):
                return random.dropout(weights, self.dropout, seed=self._seed_generator)
        outputs, scores = dot_product_attention(
            query, key, value, self._inverse_sqrt_head_dim,
            mask=None if mask is None else mask.unsqueeze(-3), is_causal=causal_only,
            dropout=dropout, return_scores=return_attention_scores,
            allow_flash=self._flash_attention is not False, explicit=self.dropout > 0)
        outputs = outputs.transpose(1, 2)
        if gate is not None:
            outputs = outputs * gate
        outputs = self._output_dense(outputs)
        if query_mask is not None:
            outputs._keras_mask = _as_bool(query_mask, outputs.device)
        if return_attention_scores:
            return outputs, scores
        return outputs

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """Keras' combined mask `(B, T, S)` (None when there is none), joined with AND."""
        parts = []
        if query_mask is not None:
            parts.append(_as_bool(query_mask, query.device).unsqueeze(-1))
        for mask in (value_mask, key_mask):
            if mask is not None:
                parts.append(_as_bool(mask, query.device).unsqueeze(-2))
        if use_causal_mask:
            parts.append(causal_mask(query.shape[1], value.shape[1], query.device))
        if self.sliding_window is not None:
            parts.append(sliding_window_mask(query.shape[1], value.shape[1], self.sliding_window,
                                             query.device))
        if attention_mask is not None:
            parts.insert(0, _as_bool(attention_mask, query.device))
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part
        return combined

    # ------------------------------------------------------------------ shapes and config
    def has_own_output_shape(self) -> bool:
        # The outputs depend on call arguments (return_attention_scores): symbolic calls run
        # `call` on meta tensors.
        return False

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"The last dimension of `query_shape` and `value_shape` must be "
                             f"equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                             f"query_shape={query_shape}, value_shape={value_shape}")
        _check_value_key(value_shape, key_shape)
        return query_shape

    def compute_mask(self, inputs, mask=None):
        # `call` puts the query's mask on the attention output only (not on the scores).
        return None

    def get_config(self) -> dict:
        return {**super().get_config(),
                "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads,
                "use_bias": self.use_bias,
                "use_gate": self.use_gate,
                "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed}


# Keras' public name for the layer.
GroupQueryAttention = GroupedQueryAttention
