"""AugMix: mixes an image with several chains of random augmentations of it, in training."""
from __future__ import annotations

import torch

from lamina.layers.preprocessing.auto_contrast import AutoContrast
from lamina.layers.preprocessing.base_image_layer import (BaseRandomImageLayer,
                                                          check_interpolation, parse_factor)
from lamina.layers.preprocessing.equalization import Equalization
from lamina.layers.preprocessing.random_brightness import RandomBrightness
from lamina.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from lamina.layers.preprocessing.random_contrast import RandomContrast
from lamina.layers.preprocessing.random_posterization import RandomPosterization
from lamina.layers.preprocessing.random_rotation import RandomRotation
from lamina.layers.preprocessing.random_sharpness import RandomSharpness
from lamina.layers.preprocessing.random_shear import RandomShear
from lamina.layers.preprocessing.random_translation import RandomTranslation
from lamina.layers.preprocessing.solarization import Solarization
from lamina.random.seed_generator import torch_generator

__all__ = ["AugMix"]


class AugMix(BaseRandomImageLayer):
    """`m x + (1 - m) sum_i w_i chain_i(x)`, clipped to `value_range` (Hendrycks et al., 2020).

    Each of `num_chains` chains applies up to `chain_depth` operations, each step picking one
    of the operations or none (as Keras); the chain weights `w` follow Dirichlet(alpha) and
    `m` Beta(alpha, alpha). The operations, in Keras' order: RandomShear, RandomTranslation,
    RandomRotation, RandomPosterization, Solarization, AutoContrast, Equalization and, with
    `all_ops`, RandomBrightness, RandomColorDegeneration, RandomContrast, RandomSharpness.
    The picks and mixing weights are drawn on the host from the layer's seed stream, the
    operations' own parameters on the images' device; one draw serves the batch.

    Args:
        value_range: the images' value range. Defaults to (0, 255).
        num_chains: the number of chains. Defaults to 3.
        chain_depth: the steps per chain. Defaults to 3.
        factor: the operations' magnitude: `[0, f]` for a number `f`, `[a, b]` for a pair,
            in [0, 1]. Defaults to 0.3.
        alpha: the Dirichlet and Beta concentration. Defaults to 1.0.
        all_ops: include the four colour operations. Defaults to True.
        interpolation: for the geometric operations, "bilinear" (default) or "nearest".
        seed: seed of the draws.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> images = torch.rand(2, 8, 8, 3) * 255
        >>> AugMix(seed=0)(images, training=True).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(self, value_range=(0, 255), num_chains: int = 3, chain_depth: int = 3,
                 factor=0.3, alpha: float = 1.0, all_ops: bool = True,
                 interpolation: str = "bilinear", seed: int | None = None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.factor = parse_factor(factor, "factor", bounds=(0.0, 1.0))
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = check_interpolation(interpolation)
        self.operations = self._operations(seed, data_format)

    def _operations(self, seed, data_format) -> list:
        common = {"seed": seed, "data_format": data_format}
        colour = {"value_range": self.value_range, **common}
        factor = self.factor
        operations = [
            RandomShear(x_factor=factor, y_factor=factor, interpolation=self.interpolation,
                        **common),
            RandomTranslation(height_factor=factor, width_factor=factor,
                              interpolation=self.interpolation, **common),
            RandomRotation(factor=factor, interpolation=self.interpolation, **common),
            RandomPosterization(factor=max(1, int(8 * factor[1])), **colour),
            Solarization(addition_factor=factor, threshold_factor=factor, **colour),
            AutoContrast(value_range=self.value_range, data_format=data_format),
            Equalization(value_range=self.value_range, data_format=data_format),
        ]
        if self.all_ops:
            operations += [RandomBrightness(factor=factor, **colour),
                           RandomColorDegeneration(factor=factor, **colour),
                           RandomContrast(factor=factor, **colour),
                           RandomSharpness(factor=factor, **colour)]
        return operations

    def _draws(self):
        """The picks `(chains, depth)` (the last index: no operation) and mixing weights."""
        host = torch_generator(self.seed_generator, "cpu")
        picks = torch.randint(0, len(self.operations) + 1, (self.num_chains, self.chain_depth),
                              generator=host)
        gammas = torch._standard_gamma(torch.full((self.num_chains + 2,), float(self.alpha),
                                                  dtype=torch.float64), generator=host)
        chain_weights = gammas[:self.num_chains] / gammas[:self.num_chains].sum()
        keep = gammas[-2] / (gammas[-2] + gammas[-1])
        return picks.tolist(), chain_weights.tolist(), float(keep)

    def transform(self, images, generator):
        picks, chain_weights, keep = self._draws()
        mixed = torch.zeros_like(images)
        for chain, weight in zip(picks, chain_weights):
            augmented = images
            for index in chain:
                if index < len(self.operations):
                    augmented = self.operations[index].transform(augmented, generator)
            mixed = mixed + augmented * weight
        outputs = keep * images + (1.0 - keep) * mixed
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation, "seed": self.seed}
