"""Connectionist Temporal Classification: `ctc_loss` and `ctc_decode` (greedy or beam search).

Keras' layouts: labels `(batch, max_label_length)` as integers, logits
`(batch, max_length, num_classes)` (not softmax-normalized), and `mask_index` the blank class.
The loss is torch's CTC kernel after a log-softmax; the decoders follow Keras' JAX code step by
step (ties included), so they return the same paths and scores.

Example:
    >>> from lamina import ops
    >>> logits = torch.log(torch.tensor([[[0.1, 0.9], [0.9, 0.1]]]))
    >>> ops.ctc_decode(logits, torch.tensor([2]))[0]
    tensor([[[ 1, -1]]], dtype=torch.int32)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.ops.core import tensor

__all__ = ["ctc_decode", "ctc_loss"]

_PAD = -1
_STRATEGIES = ("greedy", "beam_search")


def _logits(x) -> torch.Tensor:
    """At least float32, as Keras promotes (torch has no half-precision CTC kernel on CPU)."""
    x = tensor(x)
    return x.to(torch.promote_types(x.dtype, torch.float32))


def ctc_loss(target, output, target_length, output_length, mask_index: int = 0):
    """The per-sample CTC loss `-log p(target | output)` over all alignments.

    Args:
        target: Integer labels `(batch_size, max_label_length)`.
        output: Logits `(batch_size, max_length, num_classes)`.
        target_length: The label lengths `(batch_size,)`.
        output_length: The output lengths `(batch_size,)`.
        mask_index: The blank class. Defaults to 0.

    Returns:
        A float tensor `(batch_size,)`; `inf` where no alignment fits a label into its output
        (Keras' JAX backend gives a large finite number there).

    Example:
        >>> loss = ctc_loss([[1]], torch.zeros(1, 3, 2), [1], [3])
        >>> round(float(loss[0]), 4)  # -log(6 paths * 1/8)
        0.2877
    """
    logits = _logits(output)
    labels, label_lengths, lengths = (tensor(v, logits.device)
                                      for v in (target, target_length, output_length))
    if labels.dim() != 2 or logits.dim() != 3:
        raise ValueError(f"`ctc_loss` expects `target` of shape (batch_size, max_label_length) "
                         f"and `output` of shape (batch_size, max_length, num_classes). "
                         f"Received: target.shape={tuple(labels.shape)}, "
                         f"output.shape={tuple(logits.shape)}")
    log_probs = F.log_softmax(logits.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, labels.long(), lengths.long(), label_lengths.long(),
                      blank=mask_index, reduction="none")


def ctc_decode(inputs, sequence_lengths, strategy: str = "greedy", beam_width: int = 100,
               top_paths: int = 1, merge_repeated: bool = True, mask_index: int = 0):
    """Decodes CTC logits into label sequences.

    Args:
        inputs: Logits `(batch_size, max_length, num_classes)`, not softmax-normalized.
        sequence_lengths: The valid lengths `(batch_size,)`.
        strategy: 'greedy' (the best class per step) or 'beam_search'.
        beam_width: The beam size of 'beam_search'.
        top_paths: How many paths 'beam_search' returns.
        merge_repeated: Whether 'greedy' merges repeated classes.
        mask_index: The blank class.

    Returns:
        `(paths, scores)`: int32 paths `(top_paths, batch_size, max_length)` (1 path for
        'greedy'), padded with -1; scores `(batch_size, top_paths)`: for 'greedy' the negated
        sum of the chosen logits, for 'beam_search' the paths' log probabilities.

    Example:
        >>> logits = torch.log(torch.tensor([[[0.2, 0.8], [0.4, 0.6]]]))
        >>> paths, scores = ctc_decode(logits, [2], strategy="beam_search", beam_width=2)
        >>> paths, scores
        (tensor([[[ 1, -1]]], dtype=torch.int32), tensor([[-0.0834]]))
    """
    x = _logits(inputs)
    lengths = tensor(sequence_lengths, x.device).to(torch.int32)
    if strategy == "greedy":
        return _greedy(x, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _beam_search(x, lengths, beam_width, top_paths, mask_index)
    raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and "
                     f"'beam_search'.")


def _greedy(x, lengths, merge_repeated: bool, mask_index: int):
    batch_size, max_length, _ = x.shape
    scores, indices = x.max(dim=-1)
    indices = indices.to(torch.int32)
    beyond = torch.arange(max_length, device=x.device)[None, :] >= lengths[:, None]
    indices = torch.where(beyond, mask_index, indices)
    scores = torch.where(beyond, 0.0, scores)
    if merge_repeated:
        repeat = F.pad(indices[:, 1:] == indices[:, :-1], (1, 0))
        indices = torch.where(repeat, mask_index, indices)
    blank = indices == mask_index
    indices = torch.where(blank, _PAD, indices)
    # Blanks move to the end, the labels keep their order.
    order = torch.arange(max_length, device=x.device).expand(batch_size, max_length)
    order = torch.argsort(torch.where(blank, max_length, order), dim=-1, stable=True)
    indices = torch.take_along_dim(indices, order, dim=-1)
    return indices.unsqueeze(0), -scores.sum(dim=1, keepdim=True)


def _beam_search(x, lengths, beam_width: int, top_paths: int, mask_index: int):
    batch_size, max_length, num_classes = x.shape
    # Keras' JAX code flips the classes so that its ascending argsort breaks ties as
    # TensorFlow does; flipping the same way gives the same paths.
    log_probs = torch.flip(F.log_softmax(x, dim=-1), dims=[2])
    blank = num_classes - mask_index - 1
    paths, scores = [], []
    for b, length in enumerate(lengths.tolist()):
        best, best_scores = _decode_one(log_probs[b], int(length), beam_width, top_paths, blank)
        paths.append(best)
        scores.append(best_scores)
    paths = torch.stack(paths)
    paths = torch.where(paths == _PAD, _PAD, num_classes - paths - 1)
    return paths.permute(1, 0, 2).to(torch.int32), torch.stack(scores)


def _decode_one(log_probs, length: int, beam_width: int, top_paths: int, blank: int):
    """The `top_paths` best paths of one sequence `(max_length, num_classes)` and their scores."""
    max_length, num_classes = log_probs.shape
    count = min(num_classes, beam_width)
    first = torch.argsort(log_probs[0], stable=True)[-count:]
    paths = torch.full((2 * beam_width, max_length), _PAD, dtype=torch.int64,
                       device=log_probs.device)
    paths[:count, 0] = torch.where(first == blank, _PAD, first)
    scores = torch.full((2 * beam_width,), -torch.inf, dtype=log_probs.dtype,
                        device=log_probs.device)
    scores[:count] = log_probs[0, first]
    masked = paths[:, 0] == _PAD
    for step in range(1, length):
        paths, scores, masked = _extend(paths, scores, masked, log_probs[step], blank)
        paths, scores, masked = _prune(paths, scores, masked, beam_width)
    unique, inverse = _unique_rows(paths)
    scores = _merge(inverse, scores)
    top = torch.argsort(scores, stable=True)[-top_paths:].flip(0)
    return unique[top], scores[top]


def _extend(paths, scores, masked, step_log_probs, blank: int):
    """Every path followed by every class (a blank, or a repeat after no blank, adds nothing)."""
    num_classes = step_log_probs.shape[0]
    paths = paths.repeat_interleave(num_classes, dim=0)
    scores = scores.repeat_interleave(num_classes)
    was_masked = masked.repeat_interleave(num_classes)
    rows = torch.arange(paths.shape[0], device=paths.device)
    tail = (paths == _PAD).to(torch.int32).argmax(dim=1)
    last = torch.where(tail == 0, _PAD, paths[rows, tail - 1])
    classes = torch.arange(num_classes, device=paths.device)
    classes[blank] = _PAD
    classes = classes.repeat(paths.shape[0] // num_classes)
    masked = classes == _PAD
    classes = torch.where(~was_masked & (last == classes), _PAD, classes)
    paths[rows, tail] = classes
    return paths, scores + step_log_probs.repeat(paths.shape[0] // num_classes), masked


def _prune(paths, scores, masked, beam_width: int):
    """Merges equal paths (keeping blank-ended and label-ended scores apart), keeps the best."""
    unique, inverse = _unique_rows(paths)
    emit = _merge(inverse, torch.where(masked, -torch.inf, scores))
    blank = _merge(inverse, torch.where(masked, scores, -torch.inf))
    top = torch.argsort(torch.logaddexp(emit, blank), stable=True)[-beam_width:]
    flags = torch.arange(2 * beam_width, device=paths.device) >= beam_width
    return unique[top].repeat(2, 1), torch.cat([emit[top], blank[top]]), flags


def _unique_rows(paths):
    """`jnp.unique(paths, axis=0, size=len(paths), fill_value=-1, return_inverse=True)`."""
    unique, inverse = torch.unique(paths, dim=0, return_inverse=True)
    filler = paths.new_full((paths.shape[0] - unique.shape[0], paths.shape[1]), _PAD)
    return torch.cat([unique, filler]), inverse


def _merge(inverse, scores):
    """Log-sum-exp of the scores of equal paths, into the slots of `_unique_rows`."""
    peak = scores.max()
    sums = torch.zeros_like(scores).index_add_(0, inverse, torch.exp(scores - peak))
    return torch.log(sums) + peak
