"""Pictures for learners: learning curves (`plot_history`) and sample grids (`show_images`).

matplotlib is an optional extra (`pip install "lamina[plot]"`). Figures come from
`pyplot`, so `plt.show()` shows them and a notebook displays them inline; on a
machine without a display matplotlib itself falls back to its Agg backend.
"""
from __future__ import annotations

import contextlib
import math
import os
import secrets
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from lamina.utils.learning_curves import LearningCurves, higher_is_better

__all__ = ["plot_history", "show_images", "import_pyplot", "save_figure"]

_INSTALL_HINT = 'pip install "lamina[plot]"'


def import_pyplot():
    """`matplotlib.pyplot`, or an ImportError that says how to install it.

    Example:
        >>> import_pyplot().__name__
        'matplotlib.pyplot'
    """
    try:
        import matplotlib.pyplot as pyplot
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib, which is not installed. Install it with "
            f"`{_INSTALL_HINT}` (or `pip install matplotlib`).") from error
    return pyplot


def save_figure(figure: Any, path: str | os.PathLike, dpi: int = 100) -> Path:
    """Saves `figure` to `path` atomically: written beside it under a temporary name, then renamed.

    The format follows the file's suffix ('.png', '.svg', '.pdf', ...); a name
    without a suffix is saved as PNG. Missing parent folders are created.

    Args:
        figure: A matplotlib Figure.
        path: Where to save it.
        dpi: Resolution of raster formats, in dots per inch.

    Returns:
        The path written.

    Raises:
        ValueError: the suffix names a format matplotlib cannot write.

    Example:
        >>> import tempfile
        >>> figure = import_pyplot().figure(figsize=(2, 1))
        >>> save_figure(figure, Path(tempfile.mkdtemp()) / "empty.png").stat().st_size > 0
        True
    """
    target = Path(path)
    file_format = target.suffix.lstrip(".").lower() or "png"
    supported = figure.canvas.get_supported_filetypes()
    if file_format not in supported:
        raise ValueError(
            f"Argument `path` must end in a picture format matplotlib writes "
            f"({', '.join('.' + name for name in sorted(supported))}). "
            f"Received: path={str(path)!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target so that os.replace is a same-filesystem rename: a reader sees the
    # old picture or the whole new one, never half of it.
    partial = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            figure.savefig(out, format=file_format, dpi=dpi)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return target


def _chosen_metrics(curves: LearningCurves, metrics: Any) -> list[str]:
    available = curves.names()
    if metrics is None:
        return available
    requested = [metrics] if isinstance(metrics, str) else list(metrics)
    chosen = []
    for name in requested:
        base = name.removeprefix("val_")
        if base in curves.non_scalar:
            raise ValueError(f"'{base}' holds one array per epoch (a value per class), not a "
                             f"number; plot one of {available} instead.")
        if base not in curves.values:
            raise ValueError(f"Argument `metrics` names '{name}', which the history does not "
                             f"hold. It holds: {available}.")
        if base not in chosen:
            chosen.append(base)
    if not chosen:
        raise ValueError(f"Argument `metrics` must name at least one of {available}. "
                         f"Received: metrics={metrics!r}")
    return chosen


def _mark_best(axis: Any, curves: LearningCurves, key: str) -> None:
    values, epochs = curves.values[key], curves.epochs[key]
    if not np.isfinite(values).any():
        return
    best = int(np.nanargmax(values) if higher_is_better(key) else np.nanargmin(values))
    axis.plot([epochs[best]], [values[best]], linestyle="none", marker="*", markersize=14,
              color="tab:red", label=f"best epoch {epochs[best]} ({key} {values[best]:.4g})")


def _draw_metric(axis: Any, curves: LearningCurves, name: str) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.plot(curves.epochs[name], curves.values[name], marker="o", markersize=3,
              label="training")
    val_name = f"val_{name}"
    if val_name in curves.values:
        axis.plot(curves.epochs[val_name], curves.values[val_name], marker="o", markersize=3,
                  label="validation")
    best_key = val_name if val_name in curves.values else name
    if name not in ("learning_rate", "lr"):
        _mark_best(axis, curves, best_key)
    if curves.stopped_epoch is not None:
        axis.axvline(curves.stopped_epoch, color="gray", linestyle=":",
                     label=f"stopped at epoch {curves.stopped_epoch}")
    drawn = [curves.values[key] for key in (name, val_name) if key in curves.values]
    finite = np.concatenate(drawn)
    finite = finite[np.isfinite(finite)]
    # An exploding loss climbs by decades above where it started: a log axis keeps the
    # early epochs readable. (A loss falling towards zero stays on a linear axis.)
    if finite.size and finite.min() > 0 and finite.max() > 100 * finite[0]:
        axis.set_yscale("log")
    axis.set_title(name)
    axis.set_xlabel("Epoch")
    axis.set_ylabel(name)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.grid(alpha=0.3)
    axis.legend()


def plot_history(history: Any, metrics: str | Sequence[str] | None = None,
                 path: str | os.PathLike | None = None) -> Any:
    """Draws the learning curves of a training run: one panel per quantity.

    Each panel shows the training and validation curves of one quantity, a star
    at the best epoch (lowest validation loss, highest validation accuracy; the
    training curve's when there is no validation) and a dotted line where a
    callback such as EarlyStopping stopped training.

    Args:
        history: The History `fit` returned (lamina's or Keras'), or its
            `history.history` dict.
        metrics: A name or names to draw ('loss', 'accuracy'; `val_` names
            select the same panel). Defaults to the loss and every metric.
        path: Where to save the figure (PNG unless the suffix says otherwise).

    Returns:
        The matplotlib Figure.

    Raises:
        ImportError: matplotlib is not installed.
        ValueError: `metrics` names a quantity the history does not hold.

    Example:
        >>> figure = plot_history({"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.8]})
        >>> [axis.get_title() for axis in figure.axes]
        ['loss']
    """
    pyplot = import_pyplot()
    curves = LearningCurves.from_history(history)
    names = _chosen_metrics(curves, metrics)
    figure, axes = pyplot.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for axis, name in zip(axes[0], names):
        _draw_metric(axis, curves, name)
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def _image_batch(x: Any) -> np.ndarray:
    """`x` as (N, H, W) or (N, H, W, 3|4), with a fix named for the common wrong shapes."""
    images = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 3 or (images.ndim == 4 and images.shape[-1] in (3, 4)):
        return images
    hint = ""
    if images.ndim == 2 and math.isqrt(images.shape[1]) ** 2 == images.shape[1]:
        side = math.isqrt(images.shape[1])
        hint = f" These look like flattened images: use x.reshape(-1, {side}, {side})."
    elif images.ndim == 4 and images.shape[1] in (1, 3):
        hint = " These look channels-first: use np.transpose(x, (0, 2, 3, 1))."
    raise ValueError("Argument `x` must be images of shape (N, height, width) or (N, height, "
                     f"width, 1|3|4). Received: x with shape {images.shape}.{hint}")


def _display_scale(images: np.ndarray) -> tuple[float, float]:
    """The value range drawn from black to white: 0-255 pixels, 0-1 floats, else min-max."""
    if np.issubdtype(images.dtype, np.integer) or images.max() > 1.0:
        return 0.0, 255.0
    if images.min() < 0.0:
        return float(images.min()), float(images.max())
    return 0.0, 1.0


def _label_names(y: Any, count: int, class_names: Sequence[str] | None) -> list[str]:
    labels = np.asarray(y.detach().cpu() if hasattr(y, "detach") else y)
    one_hot = labels.ndim == 2 and labels.shape[1] > 1
    labels = labels.argmax(axis=1) if one_hot else labels.reshape(-1)
    if len(labels) < count:
        raise ValueError(f"Argument `y` must hold a label per image: {count} images are shown "
                         f"but y has {len(labels)} labels.")
    shown = labels[:count]
    if class_names is None:
        return [str(int(label)) if float(label).is_integer() else f"{label:.3g}" for label in shown]
    names = list(class_names)
    outside = [int(label) for label in shown if not 0 <= int(label) < len(names)]
    if outside:
        raise ValueError(f"Argument `class_names` has {len(names)} names, but y holds label "
                         f"{outside[0]}; pass one name per class, in label order.")
    return [names[int(label)] for label in shown]


def show_images(x: Any, y: Any = None, class_names: Sequence[str] | None = None, n: int = 25,
                path: str | os.PathLike | None = None) -> Any:
    """Draws the first `n` images of `x` in a grid, each titled with its label.

    Args:
        x: Images, (N, H, W) or channels-last (N, H, W, 1|3|4); uint8 0-255 or
            floats (0-1, or 0-255 when unscaled).
        y: Their labels: integers, one-hot rows, or floats 0.0-9.0.
        class_names: Names in label order (e.g. `keras.datasets.fashion_mnist.class_names`),
            shown instead of the label numbers.
        n: How many images to show (at most `len(x)`).
        path: Where to save the figure, if given.

    Returns:
        The matplotlib Figure.

    Raises:
        ImportError: matplotlib is not installed.
        ValueError: `x` is not a batch of images, `n` is not a positive integer, or
            `y` / `class_names` do not match the images.

    Example:
        >>> figure = show_images(np.zeros((4, 8, 8), "uint8"), y=[0, 1, 0, 1],
        ...                      class_names=["cat", "dog"], n=4)
        >>> [axis.get_title() for axis in figure.axes]
        ['cat', 'dog', 'cat', 'dog']
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"Argument `n` must be a positive integer (how many images to show). "
                         f"Received: n={n!r}")
    images = _image_batch(x)
    count = min(int(n), len(images))
    titles = _label_names(y, count, class_names) if y is not None else [""] * count
    low, high = _display_scale(images)
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    pyplot = import_pyplot()
    figure, axes = pyplot.subplots(rows, columns, figsize=(1.6 * columns, 1.8 * rows),
                                   squeeze=False)
    for index, axis in enumerate(axes.flat):
        if index >= count:
            figure.delaxes(axis)
            continue
        image = images[index].astype(np.float64)
        if image.ndim == 2:
            axis.imshow(image, cmap="gray", vmin=low, vmax=high)
        else:
            axis.imshow(np.clip((image - low) / (high - low or 1.0), 0.0, 1.0))
        axis.set_title(titles[index], fontsize=8)
        axis.axis("off")
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure
