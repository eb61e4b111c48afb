"""Scaled dot-product attention over `(..., T, H)` tensors, with Keras' masked softmax.

`dot_product_attention` is the arithmetic under `MultiHeadAttention`: softmax of
`scale * q @ k^T` over the keys, masked positions excluded, then the weighted sum of the
values. Without returned scores or active dropout it runs `F.scaled_dot_product_attention`
(flash / memory-efficient kernels where torch has them); otherwise it computes the weights
explicitly. Both give the same numbers, except for a row whose keys are all masked, where
each path does what Keras' does: the fused one attends to every key alike (the mean of the
values, as Keras' `ops.dot_product_attention` on JAX and torch), the explicit one gives
weights 0 and output 0 (Keras' masked `Softmax`).

Example:
    >>> q, k, v = torch.ones(1, 2, 4), torch.ones(1, 3, 4), torch.arange(12.0).reshape(1, 3, 4)
    >>> dot_product_attention(q, k, v, scale=0.5)[0][0, 0].tolist()
    [4.0, 5.0, 6.0, 7.0]
"""
from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F

__all__ = ["causal_mask", "dot_product_attention", "sliding_window_mask"]

# Keras' masked softmax puts this logit on masked positions before normalizing.
_LARGE_NEGATIVE = -1e9


def dot_product_attention(query, key, value, scale: float, mask=None, is_causal: bool = False,
                          dropout=None, return_scores: bool = False, allow_flash: bool = True,
                          explicit: bool = False):
    """`(outputs, weights)`: attention of `query` `(..., Tq, H)` over `key`/`value` `(..., Tk, H)`.

    Args:
        query, key, value: tensors with the same leading (batch and head) axes.
        scale: the factor on the logits (Keras: `1 / sqrt(key_dim)`).
        mask: booleans broadcastable to `(..., Tq, Tk)`; True = may attend.
        is_causal: whether query `i` may only attend to keys `j <= i` (and `mask` is None).
        dropout: a function applied to the weights in training (None: no dropout).
        return_scores: whether to return the weights (else the second item is None).
        allow_flash: False keeps torch from choosing its flash-attention kernel.
        explicit: compute the weights explicitly even without scores or dropout to apply
            (Keras' layers do for any dropout rate, in inference too).

    Returns:
        The outputs `(..., Tq, Hv)` and the softmax weights `(..., Tq, Tk)` (before dropout)
        or None.
    """
    if not return_scores and dropout is None and not explicit:
        return _fused(query, key, value, scale, mask, is_causal, allow_flash), None
    if is_causal:
        mask = causal_mask(query.shape[-2], key.shape[-2], query.device)
    logits = torch.matmul(query * scale, key.transpose(-1, -2))
    if mask is not None:
        logits = logits.masked_fill(~mask, _LARGE_NEGATIVE)
    weights = torch.softmax(logits, dim=-1)
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)
    attended = weights if dropout is None else dropout(weights)
    return torch.matmul(attended, value), weights


def _fused(query, key, value, scale, mask, is_causal, allow_flash):
    if mask is None:
        with _kernels(allow_flash):
            return F.scaled_dot_product_attention(query, key, value, scale=scale,
                                                  is_causal=is_causal)
    # A row with no key to attend to weighs all keys alike, as Keras' fused path gives (its
    # large negative logits, all equal): such a row's query becomes 0 and may see every key,
    # so its logits are all 0 (some torch kernels would return NaN for a row without keys).
    has_key = mask.any(dim=-1, keepdim=True)
    query = torch.where(has_key, query, 0.0)
    with _kernels(allow_flash):
        return F.scaled_dot_product_attention(query, key, value, attn_mask=mask | ~has_key,
                                              scale=scale)


def _kernels(allow_flash: bool):
    if allow_flash:
        return contextlib.nullcontext()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    return sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION,
                        SDPBackend.MATH])


def causal_mask(query_length: int, key_length: int, device) -> torch.Tensor:
    """`(1, Tq, Tk)` booleans: query `i` may attend to key `j` when `i >= j` (Keras' layout)."""
    rows = torch.arange(query_length, device=device)[:, None]
    cols = torch.arange(key_length, device=device)[None, :]
    return (rows >= cols)[None]


def sliding_window_mask(query_length: int, key_length: int, window: int, device) -> torch.Tensor:
    """`(1, Tq, Tk)` booleans: query `i` may attend to key `j` when `|i - j| < window`."""
    rows = torch.arange(query_length, device=device)[:, None]
    cols = torch.arange(key_length, device=device)[None, :]
    return ((rows - cols).abs() < window)[None]
