"""`draw_segmentation_masks`: class masks painted over images, blended as Keras blends them."""
from __future__ import annotations

import numpy as np

from lamina import backend
from lamina.utils.dtype_utils import is_int_dtype, standardize_dtype

__all__ = ["draw_segmentation_masks"]


def _color_palette(num_classes: int) -> list:
    """Keras' default colors: class i gets `i * (2**25 - 1, 2**15 - 1, 2**21 - 1) % 255`."""
    palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [(i * palette % 255).tolist() for i in range(num_classes)]


def draw_segmentation_masks(images, segmentation_masks, num_classes=None, color_mapping=None,
                            alpha=0.8, blend=True, ignore_index=-1, data_format=None):
    """Overlays segmentation masks on images.

    Each pixel of class `i` (0 included: give `ignore_index=0` to leave the background) takes
    class i's color, blended as `image * (1 - alpha) + color * alpha`.

    Args:
        images: A batch `(N, H, W, C)` (channels_first: `(N, C, H, W)`).
        segmentation_masks: Integer class indices `(N, H, W, 1)` (channels_first: `(N, 1, H, W)`).
        num_classes: The number of classes, 0 to `num_classes - 1` (default: the largest
            index in the masks, so, as in Keras, that class itself is not drawn).
        color_mapping: Dict of class index -> RGB color (default: Keras' palette).
        alpha: The masks' opacity, in [0, 1].
        blend: Blend with the images (uint8 result); False gives the painted float32 images.
        ignore_index: Pixels of this class are left as they are.
        data_format: 'channels_last' or 'channels_first' (default: the configured one).

    Returns:
        A NumPy array `(N, H, W, C)`.

    Raises:
        ValueError: `images` is not a 4-D batch. TypeError: the masks are not integers.

    Example:
        >>> draw_segmentation_masks(np.zeros((1, 1, 2, 3)), np.array([[[[1], [0]]]]),
        ...                         num_classes=2, alpha=1.0, ignore_index=0)[0, 0].tolist()
        [[1, 127, 31], [0, 0, 0]]
    """
    data_format = data_format or backend.image_data_format()
    images = backend.to_numpy(images)
    masks = backend.to_numpy(segmentation_masks)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape="
                         f"{images.shape}")
    if data_format == "channels_first":
        images, masks = images.transpose(0, 2, 3, 1), masks.transpose(0, 2, 3, 1)
    images = images.astype("float32")
    if not is_int_dtype(masks.dtype):
        raise TypeError("`segmentation_masks` must be in integer dtype. Received: "
                        f"segmentation_masks.dtype={standardize_dtype(masks.dtype)}")
    if num_classes is None:
        num_classes = int(masks.max())
    colors = (_color_palette(num_classes) if color_mapping is None
              else [color_mapping[i] for i in range(num_classes)])
    classes = masks[..., 0]
    painted = images.copy()
    for index, color in enumerate(colors):
        painted[classes == index] = np.array(color, dtype=painted.dtype)
    if not blend:
        return painted
    blended = images * (1 - alpha) + painted * alpha
    valid = (classes != ignore_index)[..., None]
    return np.where(valid, blended, images).astype("uint8")
