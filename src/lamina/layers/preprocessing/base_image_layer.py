"""The base of the image preprocessing layers: image rank, data_format, seeds, factor ranges.

Image layers take one image `(H, W, C)` or a batch `(N, H, W, C)` (channels_first:
`(C, H, W)` / `(N, C, H, W)`), or Keras' dict `{"images": ..., "labels": ...}` (labels pass
through, except in MixUp and CutMix, which mix them with the images). The random ones draw
their parameters from a `lamina.random.SeedGenerator` on the images' device, so runs repeat
for a seed and no step reads from the device; they transform only when `training` is True
(as Keras: a direct call defaults to training, `predict` and `evaluate` pass images through).
Colour layers take a `value_range`, the range the images' values lie in, e.g. (0, 255).

Example:
    >>> layer = lamina.layers.RandomFlip("horizontal", seed=0)
    >>> layer.height_axis, layer.width_axis
    (-3, -2)
"""
from __future__ import annotations

import torch

from lamina.layers.layer import Layer
from lamina.random.seed_generator import SeedGenerator, torch_generator
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["BaseImagePreprocessingLayer", "BaseRandomImageLayer", "check_fill_mode",
           "check_interpolation", "parse_factor", "parse_value_range", "transform_value_range"]

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


class BaseImagePreprocessingLayer(Layer):
    """Checks image ranks and holds `data_format`; subclasses implement `transform_images`.

    Args:
        data_format: "channels_last" (default, from `keras.config.image_data_format()`) or
            "channels_first".
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    @property
    def height_axis(self) -> int:
        return -2 if self.data_format == "channels_first" else -3

    @property
    def width_axis(self) -> int:
        return -1 if self.data_format == "channels_first" else -2

    # Whether the transform also runs outside training (AutoContrast does, as in Keras).
    applies_in_inference = False

    def check_images(self, images) -> None:
        """Raises Keras' error for dicts (bounding boxes, masks) and for ranks other than 3 or 4."""
        if isinstance(images, dict):
            raise NotImplementedError(
                f"{type(self).__name__} '{self.name}' takes images only; dicts with "
                f"'bounding_boxes', 'labels' or 'segmentation_masks' are not supported by lamina. "
                f"Pass the images tensor.")
        if images.dim() not in (3, 4):
            raise ValueError(f"Expected image tensor to have rank 3 (single image) or 4 (batch of "
                             f"images). Received: data.shape={tuple(images.shape)}")

    def call(self, inputs, training=True):
        images, labels = self._split(inputs)
        self.check_images(images)
        if not (training or self.applies_in_inference):
            return inputs
        batched = images.dim() == 4
        batch = images if batched else images.unsqueeze(0)
        if labels is not None and not batched:
            labels = labels.unsqueeze(0)
        outputs, labels = self.transform_with_labels(batch, labels,
                                                     self.random_generator(images.device))
        if not batched:
            outputs = outputs.squeeze(0)
            labels = None if labels is None else labels.squeeze(0)
        if not isinstance(inputs, dict):
            return outputs
        return {**inputs, "images": outputs, **({} if labels is None else {"labels": labels})}

    def _split(self, inputs):
        """(images, labels or None) of a tensor or of Keras' `{"images", "labels"}` dict."""
        if not isinstance(inputs, dict):
            return inputs, None
        unsupported = sorted(set(inputs) - {"images", "labels"})
        if "images" not in inputs or unsupported:
            raise NotImplementedError(
                f"{type(self).__name__} '{self.name}' takes images or a dict with 'images' (and "
                f"'labels'); {unsupported or 'a dict without images'} is not supported by lamina "
                f"(bounding boxes and segmentation masks are not implemented). Received keys: "
                f"{sorted(inputs)}")
        return inputs["images"], inputs.get("labels")

    def random_generator(self, device):
        """The generator of this call's draws; None for a deterministic layer."""
        return None

    def transform(self, images: torch.Tensor, generator) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement `transform(images, "
                                  f"generator)`.")

    def transform_with_labels(self, images: torch.Tensor, labels, generator):
        """`(transformed images, labels)` of a batch; labels pass through unless overridden."""
        return self.transform(images, generator), labels

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class BaseRandomImageLayer(BaseImagePreprocessingLayer):
    """An image layer that transforms at random in training and passes images through otherwise.

    Subclasses implement `transform(images, generator)` for a batch `(N, ...)` of float images
    (and `transform_with_labels` when the labels change with the images).

    Args:
        seed: seed of the random transformations (None: drawn from torch's global generator,
            so `keras.utils.set_random_seed` makes runs repeat).
        data_format: as in `BaseImagePreprocessingLayer`.
    """

    def __init__(self, seed: int | None = None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"Argument `seed` must be an integer or None. Received: seed={seed!r}")
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)

    def random_generator(self, device):
        """A `torch.Generator` on `device` for this call, the next in the seed's stream."""
        return torch_generator(self.seed_generator, device)

    def uniform(self, shape, low: float, high: float, generator,
                like: torch.Tensor) -> torch.Tensor:
        """Draws from U[low, high) on `like`'s device and dtype (exactly `low` when equal)."""
        draws = torch.rand(shape, generator=generator, device=like.device, dtype=like.dtype)
        return low + (high - low) * draws


def parse_factor(factor, name: str, bounds=(-1.0, 1.0), each_in_range: bool = False,
                 lower_open: bool = False) -> tuple[float, float]:
    """`(lower, upper)` from a number `f` or a pair (sorted), checked as Keras checks them.

    Two Keras rules exist. The base rule (RandomRotation, RandomContrast) maps a number `f` to
    `(max(-f, low), f)` and accepts a pair unless it lies wholly outside `bounds`; the per-value
    rule (RandomZoom, RandomTranslation: `each_in_range=True`) maps `f` to `(-f, f)` and
    requires every number inside `bounds`.

    Args:
        factor: a number or a list/tuple of two numbers.
        name: the argument's name, for the error message.
        bounds: the allowed range.
        each_in_range: use the per-value rule.
        lower_open: whether the lower bound itself is excluded (RandomZoom: `(-1, 1]`).

    Raises:
        ValueError: naming the argument, the range and the value received.
    """
    low, high = bounds
    interval = f"{'(' if lower_open else '['}{low:g}, {high:g}]"
    message = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
               f"{interval}. Received: {name}={factor!r}")

    def is_number(value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    def in_range(value) -> bool:
        return (low < value if lower_open else low <= value) and value <= high

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(is_number(v) for v in factor):
            raise ValueError(message)
        outside = (not all(in_range(v) for v in factor) if each_in_range
                   else factor[0] > high or factor[1] < low)
        if outside:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if not is_number(factor) or not in_range(factor):
        raise ValueError(message)
    factor = abs(factor)
    return (-factor if each_in_range else max(-factor, low)), factor


def check_fill_mode(fill_mode: str) -> str:
    """`fill_mode` if Keras' affine layers support it; NotImplementedError (Keras') otherwise."""
    if fill_mode not in FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {FILL_MODES}.")
    return fill_mode


def check_interpolation(interpolation: str) -> str:
    """`interpolation` if it is "nearest" or "bilinear"; NotImplementedError (Keras') otherwise."""
    if interpolation not in INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                  f"{INTERPOLATIONS}.")
    return interpolation


def parse_value_range(value_range) -> list:
    """`value_range` as Keras keeps it: a sorted list of two numbers (Keras' error otherwise)."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError("The `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range}")
    return sorted(value_range)


def transform_value_range(images: torch.Tensor, original_range, target_range) -> torch.Tensor:
    """Maps values linearly from `original_range` onto `target_range` (as is when equal)."""
    if original_range[0] == target_range[0] and original_range[1] == target_range[1]:
        return images
    low, high = float(original_range[0]), float(original_range[1])
    target_low, target_high = float(target_range[0]), float(target_range[1])
    return (images - low) / (high - low) * (target_high - target_low) + target_low
