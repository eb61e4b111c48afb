"""MixUp: blends each image (and its label) with another image of the batch, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer

__all__ = ["MixUp", "sample_beta"]


def sample_beta(shape, alpha, generator, like: torch.Tensor) -> torch.Tensor:
    """Beta(alpha, alpha) draws `X / (X + Y)` of two Gamma draws, on `like`'s device and dtype.

    `alpha` is a number or a 0-dim tensor (CutMix draws it).
    """
    concentration = torch.as_tensor(alpha, dtype=like.dtype, device=like.device).expand(shape)
    first = torch._standard_gamma(concentration.contiguous(), generator=generator)
    second = torch._standard_gamma(concentration.contiguous(), generator=generator)
    return first / (first + second)


def mix_labels(labels: torch.Tensor, order: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """`w * y + (1 - w) * y[order]`, one weight per sample."""
    labels = labels.to(weights.dtype) if not labels.is_floating_point() else labels
    weights = weights.to(labels.dtype).reshape(-1, *([1] * (labels.dim() - 1)))
    return weights * labels + (1.0 - weights) * labels.index_select(0, order)


class MixUp(BaseRandomImageLayer):
    """`w * x + (1 - w) * x[perm]` with `w ~ Beta(alpha, alpha)` per image and a random
    permutation of the batch, in training (Zhang et al., 2017).

    Given Keras' dict `{"images": ..., "labels": ...}`, the (one-hot) labels are mixed with the
    same weights; given images alone, only the images are mixed.

    Args:
        alpha: the Beta distribution's parameter. Defaults to 0.2.
        data_format: "channels_last" or "channels_first".
        seed: seed of the draws.

    Example:
        >>> images = torch.stack([torch.zeros(4, 4, 3), torch.ones(4, 4, 3)])
        >>> labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> out = MixUp(alpha=1.0, seed=0)({"images": images, "labels": labels})
        >>> torch.allclose(out["labels"][:, 1], out["images"][:, 0, 0, 0])
        True
    """

    def __init__(self, alpha: float = 0.2, data_format=None, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.alpha = alpha

    def transform(self, images, generator):
        return self.transform_with_labels(images, None, generator)[0]

    def transform_with_labels(self, images, labels, generator):
        batch = images.shape[0]
        order = torch.randperm(batch, generator=generator, device=images.device)
        weights = sample_beta((batch,), self.alpha, generator, images)
        mixed = mix_labels(images, order, weights)
        return mixed, None if labels is None else mix_labels(labels, order, weights)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}
