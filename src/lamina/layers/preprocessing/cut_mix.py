"""CutMix: pastes a random box from another image of the batch into each image, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer, parse_factor
from lamina.layers.preprocessing.mix_up import mix_labels, sample_beta
from lamina.layers.preprocessing.random_erasing import box_masks

__all__ = ["CutMix"]


class CutMix(BaseRandomImageLayer):
    """Replaces a box of each image by the same box of `x[perm]`, and mixes the labels by the
    area kept, in training (Yun et al., 2019).

    The box's area fraction is `1 - w` with `w ~ Beta(a, a)`, `a` drawn from `factor`; labels
    (in Keras' dict `{"images", "labels"}`) become `w' * y + (1 - w') * y[perm]` with `w'` the
    fraction of the image kept. A single image `(H, W, C)` passes through, as in Keras.

    Args:
        factor: the Beta parameter `a` is drawn from `[0, f]` for a number `f`, from `[a, b]`
            for a pair, within [0, 1]. Defaults to 1.0.
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.stack([torch.zeros(8, 8, 1), torch.ones(8, 8, 1)])
        >>> labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> out = CutMix(seed=3)({"images": images, "labels": labels})
        >>> sorted(set(out["images"].flatten().tolist())) <= [0.0, 1.0]
        True
    """

    def __init__(self, factor=1.0, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))

    def call(self, inputs, training=True):
        images, _ = self._split(inputs)
        self.check_images(images)
        if images.dim() == 3:
            return inputs
        return super().call(inputs, training=training)

    def transform(self, images, generator):
        return self.transform_with_labels(images, None, generator)[0]

    def transform_with_labels(self, images, labels, generator):
        batch = images.shape[0]
        height, width = images.shape[self.height_axis], images.shape[self.width_axis]
        alpha = self.uniform((), self.factor[0], self.factor[1], generator, images) + 1e-6
        ratio = (1.0 - sample_beta((batch,), alpha, generator, images)).sqrt()
        masks, box_width, box_height = box_masks(images, self.height_axis, self.width_axis,
                                                 ratio, ratio, generator, self.uniform)
        kept = 1.0 - box_width * box_height / (width * height)
        order = torch.randperm(batch, generator=generator, device=images.device)
        mixed = torch.where(masks, images.index_select(0, order), images)
        return mixed, None if labels is None else mix_labels(labels, order, kept)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}
