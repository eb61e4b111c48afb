"""`plot_segmentation_mask_gallery`: each image beside its true and predicted masks."""
from __future__ import annotations

import functools

import numpy as np

from lamina import backend
from lamina.visualization.draw_segmentation_masks import draw_segmentation_masks
from lamina.visualization.plot_image_gallery import plot_image_gallery

__all__ = ["plot_segmentation_mask_gallery"]


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255), y_true=None,
                                   y_pred=None, color_mapping=None, blend=True, alpha=0.8,
                                   ignore_index=-1, data_format=None, **kwargs):
    """A gallery with one row per image: the image, then `y_true`'s and `y_pred`'s masks drawn
    on it (see `draw_segmentation_masks`), as Keras lays it out.

    Args:
        images: A batch `(N, H, W, C)`.
        num_classes: The number of classes.
        value_range: The images' value range.
        y_true, y_pred: Optional integer masks `(N, H, W, 1)`.
        color_mapping, blend, alpha, ignore_index: As for `draw_segmentation_masks`.
        data_format: 'channels_last' or 'channels_first'.
        **kwargs: Passed to `plot_image_gallery` (`path`, `show`, `scale`, ...).

    Returns:
        What `plot_image_gallery` returns.

    Example:
        >>> figure = plot_segmentation_mask_gallery(np.zeros((2, 4, 4, 3)), num_classes=2,
        ...                                         y_true=np.ones((2, 4, 4, 1), "int32"),
        ...                                         show=False)
        >>> len(figure.axes)
        4
    """
    data_format = data_format or backend.image_data_format()
    images = backend.to_numpy(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape="
                         f"{images.shape}")
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    draw = functools.partial(draw_segmentation_masks, num_classes=num_classes,
                             color_mapping=color_mapping, alpha=alpha,
                             ignore_index=ignore_index, blend=blend,
                             data_format="channels_last")
    drawn = []
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = backend.to_numpy(masks)
            if data_format == "channels_first":
                masks = masks.transpose(0, 2, 3, 1)
            drawn.append(draw(images, masks.astype("int32")))
    gallery = [picture for i in range(len(images))
               for picture in [images[i]] + [painted[i] for painted in drawn]]
    return plot_image_gallery(np.stack(gallery), value_range=value_range, rows=len(images),
                              cols=1 + len(drawn), data_format="channels_last", **kwargs)
