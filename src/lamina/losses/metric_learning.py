"""Circle loss (Sun et al., 2020) for L2-normalized embeddings and integer labels, as Keras 3
computes it.

Example:
    >>> import torch
    >>> embeddings = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.9, 0.1],
    ...                                                          [0.0, 1.0]]), dim=1)
    >>> circle(torch.tensor([0, 0, 1]), embeddings, gamma=2.0).shape
    torch.Size([3])
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.losses.base import prediction_tensor, target_tensor

__all__ = ["circle", "build_pos_neg_masks"]


def build_pos_neg_masks(query_labels, key_labels, remove_diagonal: bool = True):
    """Boolean `(Q, K)` masks of same-label pairs (without `i == j` when `remove_diagonal`) and
    of different-label pairs."""
    positive = query_labels.reshape(-1, 1) == key_labels.reshape(-1, 1).T
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(positive.shape[0], positive.shape[1], dtype=torch.bool,
                        device=positive.device)
        positive = positive & ~eye
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80, margin: float = 0.4) -> torch.Tensor:
    """Circle loss of each embedding against the reference embeddings (default: the batch).

    Pairs are weighted by how far they are from their optimum: same-label pairs by
    `margin + distance`, different-label pairs by `1 + margin - distance` (cosine distances).
    Samples whose loss is 0 are masked out of the reduction, as in Keras.

    Args:
        y_true: Integer labels `(N,)`.
        y_pred: L2-normalized embeddings `(N, D)`.
        ref_labels: Labels of the reference embeddings; default `y_true`.
        ref_embeddings: Reference embeddings `(M, D)`; default `y_pred`.
        remove_diagonal: Leave each sample's pair with itself out of its positives.
        gamma: Scale of the similarities. margin: relaxation of the optimum.

    Returns:
        The loss per sample, `(N,)`.
    """
    y_pred = prediction_tensor(y_pred)
    y_true = target_tensor(y_true, y_pred, torch.int32)
    ref_embeddings = y_pred if ref_embeddings is None else prediction_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else target_tensor(ref_labels, y_pred, torch.int32)
    distances = torch.clamp(1 - y_pred @ ref_embeddings.T, min=0.0)
    positive, negative = build_pos_neg_masks(y_true, ref_labels, remove_diagonal)
    positive_weights = torch.clamp((margin + distances) * positive.to(distances.dtype), min=0.0)
    negative_weights = torch.clamp((1 + margin - distances) * negative.to(distances.dtype),
                                   min=0.0)
    positive_terms = -1 * gamma * positive_weights * (margin - distances)
    negative_terms = gamma * negative_weights * ((1 - margin) - distances)
    minus_infinity = torch.tensor(float("-inf"), dtype=distances.dtype, device=distances.device)
    positive_loss = torch.logsumexp(torch.where(positive, positive_terms, minus_infinity), dim=1)
    negative_loss = torch.logsumexp(torch.where(negative, negative_terms, minus_infinity), dim=1)
    losses = F.softplus(positive_loss + negative_loss)
    losses._keras_mask = losses > 0
    return losses


circle._integer_labels = True
