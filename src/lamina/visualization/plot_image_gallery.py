"""`plot_image_gallery`: a grid of images, titled with their labels and predictions."""
from __future__ import annotations

import math

import numpy as np

from lamina import backend
from lamina.utils.plotting import import_pyplot

__all__ = ["plot_image_gallery"]


def _as_numpy(values) -> np.ndarray:
    return backend.to_numpy(values) if values is not None else None


def _to_pixels(images: np.ndarray, value_range) -> np.ndarray:
    """Maps `value_range` linearly to 0..255 (as Keras does) and clips, as uint8."""
    low, high = value_range
    images = images.astype("float32")
    if (low, high) != (0, 255):
        images = (images - low) / (high - low) * 255.0
    return np.clip(images, 0, 255).astype("uint8")


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None, rows=None, cols=None,
                       value_range=(0, 255), scale=2, path=None, show=None, transparent=True,
                       dpi=60, legend_handles=None, data_format=None):
    """Displays a gallery of images with optional labels and predictions, as Keras draws it.

    Args:
        images: A batch `(N, H, W, C)` (or `(N, C, H, W)` with channels_first).
        y_true: Optional true class indices `(N,)`.
        y_pred: Optional predicted class indices `(N,)`.
        label_map: Dict of class index -> name; needed with `y_true` or `y_pred`.
        rows, cols: The grid (default: about square, `ceil(sqrt(N))` rows).
        value_range: The images' value range, e.g. (0, 255) or (0, 1).
        scale: Inches per image.
        path: Where to save the gallery; None shows it (unless `show=False`).
        show: Show it with `plt.show()` (default: when `path` is None).
        transparent: Save with a transparent background.
        dpi: Resolution of the saved image.
        legend_handles: Matplotlib handles for a legend below the grid.
        data_format: 'channels_last' or 'channels_first' (default: the configured one).

    Returns:
        The matplotlib Figure when it was neither saved nor shown, else None.

    Raises:
        ValueError: Both `path` and `show`, labels without `label_map`, or not a 4-D batch.

    Example:
        >>> figure = plot_image_gallery(np.zeros((4, 8, 8, 3)), show=False)
        >>> len(figure.axes)
        4
    """
    pyplot = import_pyplot()
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` to be true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be "
                         "provided.")
    images = _as_numpy(images)
    if images.ndim != 4:
        raise ValueError("`plot_images_gallery()` requires you to batch your `np.array` samples "
                         f"together. Received images of shape {images.shape}.")
    show = show if show is not None else path is None
    batch_size = images.shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch_size)))
    cols = cols or int(math.ceil(batch_size // rows))
    images = images[:min(rows * cols, batch_size)]
    if (data_format or backend.image_data_format()) == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    images = _to_pixels(images, value_range)
    figure, axes = pyplot.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale),
                                   frameon=False, layout="tight", squeeze=False, sharex="row",
                                   sharey="col")
    figure.subplots_adjust(wspace=0, hspace=0)
    if legend_handles is not None:
        figure.legend(handles=legend_handles, loc="lower center")
    y_true, y_pred = _as_numpy(y_true), _as_numpy(y_pred)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(images):
            continue
        axis.imshow(images[index].squeeze(-1) if images.shape[-1] == 1 else images[index],
                    cmap="gray" if images.shape[-1] == 1 else None)
        axis.margins(x=0, y=0)
        title = _title(index, y_true, y_pred, label_map)
        if title:
            axis.set_title(title, fontsize=8)
    if path is not None:
        figure.savefig(path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
        pyplot.close(figure)
        return None
    if show:
        pyplot.show()
        pyplot.close(figure)
        return None
    return figure


def _title(index, y_true, y_pred, label_map) -> str:
    parts = []
    if y_true is not None and index < len(y_true):
        parts.append(f"Label: {label_map.get(y_true[index].item(), 'Unknown')}")
    if y_pred is not None and index < len(y_pred):
        parts.append(f"Pred: {label_map.get(y_pred[index].item(), 'Unknown')}")
    return "  ".join(parts)
