"""Pictures of a classifier's answers: a grid of predictions (`show_predictions`) and the
confusion matrix (`confusion_matrix` counts, `plot_confusion_matrix` draws them).

Labels and predictions may be class indices, one-hot rows, floats 0.0-9.0, or the
probabilities `model.predict` returns (softmax rows, or one sigmoid column read as
class 1 above 0.5), so `model.predict(x)` can be passed as it comes.

Example:
    >>> confusion_matrix([0, 1, 1, 2], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1],
    ...                                 [0.6, 0.3, 0.1], [0.0, 0.1, 0.9]])
    array([[1, 0, 0],
           [1, 1, 0],
           [0, 0, 1]])
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from lamina.utils.plotting import _image_batch, import_pyplot, save_figure, show_images

__all__ = ["confusion_matrix", "plot_confusion_matrix", "show_predictions"]

_NORMALIZE_CHOICES = (None, "true", "pred", "all")


def _as_array(values: Any) -> np.ndarray:
    return np.asarray(values.detach().cpu() if hasattr(values, "detach") else values)


def class_indices(values: Any, argument: str) -> np.ndarray:
    """Class indices from labels, one-hot rows or predicted probabilities (int64, 1-D).

    Example:
        >>> class_indices([[0.2, 0.8], [0.9, 0.1]], "y_pred").tolist()
        [1, 0]
    """
    array = _as_array(values)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"Argument `{argument}` holds NaN or infinite values; a model that "
                         f"predicts NaN has diverged (try a lower learning rate).")
    if array.ndim == 2 and array.shape[1] > 1:
        return array.argmax(axis=1).astype(np.int64)
    if array.ndim > 2 or (array.ndim == 2 and array.shape[1] == 0):
        raise ValueError(f"Argument `{argument}` must hold one label per sample (shape (N,) or "
                         f"(N, 1)) or one row of class scores per sample (shape (N, classes)). "
                         f"Received: {argument} with shape {array.shape}")
    flat = array.reshape(-1)
    if flat.dtype.kind == "b":
        return flat.astype(np.int64)
    if flat.dtype.kind not in "iuf":
        raise TypeError(f"Argument `{argument}` must be numbers (labels or probabilities). "
                        f"Received: dtype {flat.dtype}")
    if flat.dtype.kind == "f" and not np.all(flat == np.round(flat)):
        if flat.min() < 0.0 or flat.max() > 1.0:
            raise ValueError(f"Argument `{argument}` holds non-integer values outside 0-1, "
                             f"so they are neither class labels nor probabilities. "
                             f"Received values from {flat.min():g} to {flat.max():g}.")
        return (flat > 0.5).astype(np.int64)  # one sigmoid output per sample
    if flat.size and flat.min() < 0:
        raise ValueError(f"Argument `{argument}` must hold class indices 0, 1, 2, ...; it holds "
                         f"the negative label {int(flat.min())}.")
    return flat.astype(np.int64)


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts how often each true class (row) was predicted as each class (column).

    Args:
        y_true: The true labels (indices, one-hot rows or floats 0.0-9.0).
        y_pred: The predicted labels, or `model.predict`'s probabilities.
        num_classes: The matrix size. Defaults to the largest class seen plus one (or
            the number of probability columns).

    Returns:
        An int64 array of shape (num_classes, num_classes), laid out as scikit-learn's
        `confusion_matrix`: `matrix[i, j]` samples of class i were predicted as j.

    Raises:
        ValueError: the two do not hold the same number of samples, or a label is
            outside `num_classes`.

    Example:
        >>> confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=2)
        array([[1, 0],
               [1, 1]])
    """
    true, predicted = class_indices(y_true, "y_true"), class_indices(y_pred, "y_pred")
    if len(true) != len(predicted):
        raise ValueError(f"Arguments `y_true` and `y_pred` must hold the same number of samples. "
                         f"Received: {len(true)} labels and {len(predicted)} predictions.")
    seen = max(int(true.max(initial=-1)), int(predicted.max(initial=-1))) + 1
    columns = [_as_array(v).shape[1] for v in (y_true, y_pred) if _as_array(v).ndim == 2]
    size = num_classes if num_classes is not None else max([seen, 1, *columns])
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"Argument `num_classes` must be a positive integer. "
                         f"Received: num_classes={num_classes!r}")
    if seen > size:
        raise ValueError(f"Argument `num_classes` is {size}, but the labels or predictions hold "
                         f"class {seen - 1}: pass num_classes={seen} or more.")
    matrix = np.zeros((size, size), dtype=np.int64)
    np.add.at(matrix, (true, predicted), 1)
    return matrix


def _normalized(matrix: np.ndarray, normalize: str | None) -> np.ndarray:
    if normalize not in _NORMALIZE_CHOICES:
        raise ValueError(f"Argument `normalize` must be one of {list(_NORMALIZE_CHOICES)} "
                         f"('true': each row sums to 1, as scikit-learn). "
                         f"Received: normalize={normalize!r}")
    if normalize is None:
        return matrix
    totals = {"true": matrix.sum(axis=1, keepdims=True), "pred": matrix.sum(axis=0, keepdims=True),
              "all": matrix.sum(keepdims=True)}[normalize]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(matrix / totals)


def _names(class_names: Sequence[str] | None, size: int) -> list[str]:
    if class_names is None:
        return [str(i) for i in range(size)]
    names = list(class_names)
    if len(names) < size:
        raise ValueError(f"Argument `class_names` has {len(names)} names, but the labels or "
                         f"predictions hold {size} classes; pass one name per class, in label "
                         f"order.")
    return [str(name) for name in names]


def plot_confusion_matrix(y_true: Any, y_pred: Any, class_names: Sequence[str] | None = None,
                          normalize: str | None = None,
                          path: str | os.PathLike | None = None) -> Any:
    """Draws the confusion matrix: true classes down, predicted classes across, counts in cells.

    Args:
        y_true: The true labels (indices, one-hot rows or floats 0.0-9.0).
        y_pred: The predicted labels, or `model.predict(x)` as it comes.
        class_names: Names in label order (e.g. `keras.datasets.fashion_mnist.CLASS_NAMES`).
        normalize: None for counts; 'true' (each row sums to 1: the share of each class
            predicted as each), 'pred' (columns sum to 1) or 'all', as scikit-learn.
        path: Where to save the figure (PNG unless the suffix says otherwise).

    Returns:
        The matplotlib Figure.

    Raises:
        ImportError: matplotlib is not installed.
        ValueError: see `confusion_matrix`; or `normalize` is not one of the choices.

    Example:
        >>> figure = plot_confusion_matrix([0, 1, 1], [0, 1, 0], class_names=["cat", "dog"])
        >>> figure.axes[0].get_xlabel(), figure.axes[0].get_ylabel()
        ('Predicted label', 'True label')
    """
    matrix = confusion_matrix(y_true, y_pred)
    labels = _names(class_names, len(matrix))
    if len(labels) > len(matrix):  # classes named but never seen get their empty row
        matrix = confusion_matrix(y_true, y_pred, num_classes=len(labels))
    shown = _normalized(matrix, normalize)
    pyplot = import_pyplot()
    side = max(4.0, 0.6 * len(matrix) + 2.5)
    figure, axis = pyplot.subplots(figsize=(side + 1.0, side))
    image = axis.imshow(shown, cmap="Blues", vmin=0)
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
    ticks = np.arange(len(matrix))
    axis.set_xticks(ticks, labels, rotation=45, ha="right")
    axis.set_yticks(ticks, labels)
    axis.set_xlabel("Predicted label")
    axis.set_ylabel("True label")
    total = int(matrix.sum())
    accuracy = np.trace(matrix) / total if total else 0.0
    axis.set_title(f"Confusion matrix ({total} samples, accuracy {accuracy:.1%})")
    threshold = shown.max() / 2 if shown.size else 0
    for (row, column), value in np.ndenumerate(shown):
        text = f"{value:.2f}" if normalize else str(int(value))
        axis.text(column, row, text, ha="center", va="center", fontsize=8,
                  color="white" if value > threshold else "black")
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def _display_images(x: Any) -> np.ndarray:
    """Images for display; flattened square images (N, 784) are shown as (N, 28, 28)."""
    array = _as_array(x)
    if array.ndim == 2 and math.isqrt(array.shape[1]) ** 2 == array.shape[1]:
        side = math.isqrt(array.shape[1])
        array = array.reshape(-1, side, side)
    return _image_batch(array)


def show_predictions(model: Any, x: Any, y: Any, class_names: Sequence[str] | None = None,
                     n: int = 25, path: str | os.PathLike | None = None) -> Any:
    """Shows the first `n` images with the model's prediction; wrong ones in red with the truth.

    Each title is the predicted class and how sure the model is; a wrong prediction is
    drawn in red and adds the true class (`Shirt 71%` / `true: Coat`).

    Args:
        model: A trained classifier (softmax outputs, or one sigmoid unit).
        x: The images, as the model takes them (also flattened, e.g. (N, 784)).
        y: Their true labels (indices, one-hot rows or floats 0.0-9.0).
        class_names: Names in label order (e.g. `keras.datasets.fashion_mnist.CLASS_NAMES`).
        n: How many images to show (at most `len(x)`).
        path: Where to save the figure, if given.

    Returns:
        The matplotlib Figure; `figure.wrong` holds the grid positions predicted wrongly.

    Raises:
        ImportError: matplotlib is not installed.
        ValueError: `x` is not a batch of images, `n` is not a positive integer, or
            `y` / `class_names` do not match.

    Example:
        >>> model = lamina.Sequential([lamina.Input((2, 2)), lamina.layers.Flatten(),
        ...                            lamina.layers.Dense(2, activation="softmax")])
        >>> figure = show_predictions(model, np.zeros((3, 2, 2)), [0, 1, 1], n=3)
        >>> len(figure.axes)
        3
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"Argument `n` must be a positive integer (how many images to show). "
                         f"Received: n={n!r}")
    images = _display_images(x)
    count = min(int(n), len(images))
    true = class_indices(y, "y")
    if len(true) < count:
        raise ValueError(f"Argument `y` must hold a label per image: {count} images are shown "
                         f"but y has {len(true)} labels.")
    scores = _as_array(model.predict(_as_array(x)[:count], verbose=0))
    predicted = class_indices(scores, "model.predict(x)")
    confidence = _confidence(scores, predicted)
    names = _names(class_names, max(int(true[:count].max()), int(predicted.max())) + 1)
    figure = show_images(images[:count], n=count)
    figure.wrong = []
    for index, axis in enumerate(figure.axes):
        guess, truth = int(predicted[index]), int(true[index])
        title = f"{names[guess]} {confidence[index]:.0%}"
        if guess != truth:
            figure.wrong.append(index)
            title += f"\ntrue: {names[truth]}"
        axis.set_title(title, fontsize=8, color="red" if guess != truth else "black")
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def _confidence(scores: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """The probability the model gave its chosen class."""
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores[np.arange(len(predicted)), predicted]
    probability = scores.reshape(-1).astype(np.float64)
    return np.where(predicted == 1, probability, 1.0 - probability)
