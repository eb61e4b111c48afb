"""Sequence losses: CTC, the Connectionist Temporal Classification loss over unsegmented labels.

Keras 3's conventions: labels `(N, max_label_length)` are integers padded with 0, which is
also the blank class; the model gives logits `(N, T, num_classes)` for all `T` steps.

Example:
    >>> logits = torch.zeros(1, 3, 2)  # uniform over blank and class 1
    >>> round(float(ctc([[1]], logits)[0]), 4)  # -log(6 paths * 1/8)
    0.2877
"""
from __future__ import annotations

import torch

from lamina.losses.base import prediction_tensor, target_tensor
from lamina.ops.ctc import ctc_loss

__all__ = ["ctc"]

BLANK = 0


def ctc(y_true, y_pred):
    """Per-sample CTC loss: `-log p(labels | logits)` summed over all alignments.

    Args:
        y_true: integer labels `(N, max_label_length)`; 0 is the blank and pads the end.
        y_pred: logits `(N, T, num_classes)`, not softmax-normalized (Keras applies
            log-softmax itself).

    Returns:
        Losses of shape `(N,)`; `inf` where no alignment fits the labels into `T` steps.

    Raises:
        ValueError: when `y_true` is not rank 2 or `y_pred` not rank 3.
    """
    y_pred = prediction_tensor(y_pred)
    labels = target_tensor(y_true, y_pred)
    if labels.dim() != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape "
                         "`(batch_size, max_length)` in integer format. "
                         f"Received: y_true.shape={tuple(labels.shape)}")
    if y_pred.dim() != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape "
                         "`(batch_size, max_length, num_classes)`. "
                         f"Received: y_pred.shape={tuple(y_pred.shape)}")
    labels = labels.long()
    label_lengths = (labels != BLANK).sum(dim=-1)
    batch_size, steps = y_pred.shape[:2]
    output_lengths = torch.full((batch_size,), steps, dtype=torch.long, device=y_pred.device)
    return ctc_loss(labels, y_pred, label_lengths, output_lengths, mask_index=BLANK)


# Tells `Loss.__call__` to pass labels through uncast, so they stay integers.
ctc._integer_labels = True
