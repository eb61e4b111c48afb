"""RandomColorJitter: random brightness, contrast, saturation and hue, in that order."""
from __future__ import annotations

from lamina.layers.preprocessing.base_image_layer import BaseRandomImageLayer
from lamina.layers.preprocessing.random_brightness import RandomBrightness
from lamina.layers.preprocessing.random_contrast import RandomContrast
from lamina.layers.preprocessing.random_hue import RandomHue
from lamina.layers.preprocessing.random_saturation import RandomSaturation

__all__ = ["RandomColorJitter"]


class RandomColorJitter(BaseRandomImageLayer):
    """Applies RandomBrightness, RandomContrast, RandomSaturation and RandomHue in turn
    (each only when its factor is given), in training.

    Args:
        value_range: the images' value range. Defaults to (0, 255).
        brightness_factor: `factor` of RandomBrightness, or None to skip it.
        contrast_factor: `factor` of RandomContrast, or None.
        saturation_factor: `factor` of RandomSaturation, or None.
        hue_factor: `factor` of RandomHue, or None.
        seed: seed of the draws (all four steps draw from this layer's stream).
        data_format: "channels_last" or "channels_first".

    Example:
        >>> image = torch.tensor([10.0, 250.0]).reshape(1, 1, 2, 1)
        >>> RandomColorJitter(brightness_factor=(0.1, 0.1))(image, training=True).flatten().tolist()
        [35.5, 255.0]
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed: int | None = None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        options = {"value_range": value_range, "seed": seed, "data_format": data_format}
        steps = ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                 (RandomSaturation, saturation_factor), (RandomHue, hue_factor))
        self.steps = [cls(factor=factor, **options) for cls, factor in steps if factor is not None]

    def transform(self, images, generator):
        for step in self.steps:
            images = step.transform(images, generator)
        return images

    def get_config(self) -> dict:
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor,
                "seed": self.seed}
