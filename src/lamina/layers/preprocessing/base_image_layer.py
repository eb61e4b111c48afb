"""The base of the image preprocessing layers: image rank, data_format, seeds, factor ranges.

Image layers take one image `(H, W, C)` or a batch `(N, H, W, C)` (channels_first:
`(C, H, W)` / `(N, C, H, W)`). The random ones draw their parameters from a
`lamina.random.SeedGenerator` on the images' device, so runs repeat for a seed and no step
reads from the device; they transform only when `training` is True.

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
           "check_interpolation", "parse_factor"]

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

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class BaseRandomImageLayer(BaseImagePreprocessingLayer):
    """An image layer that transforms at random in training and passes images through otherwise.

    Subclasses implement `transform(images, generator)` for a batch `(N, ...)` of float images.

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

    def call(self, inputs, training=True):
        self.check_images(inputs)
        if not training:
            return inputs
        batch = inputs if inputs.dim() == 4 else inputs.unsqueeze(0)
        outputs = self.transform(batch, torch_generator(self.seed_generator, inputs.device))
        return outputs if inputs.dim() == 4 else outputs.squeeze(0)

    def transform(self, images: torch.Tensor, generator) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement `transform(images, "
                                  f"generator)`.")

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
