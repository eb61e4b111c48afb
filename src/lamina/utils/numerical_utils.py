"""One-hot encoding and array normalization (`keras.utils.to_categorical`, `normalize`).

Example:
    >>> from lamina.utils import to_categorical
    >>> to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
"""
from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.utils.errors import OutOfRangeError

__all__ = ["to_categorical", "normalize"]


def to_categorical(x, num_classes: int | None = None):
    """Converts integer class labels to a one-hot matrix, class axis last.

    Args:
        x: labels, integers from 0 to `num_classes - 1` (a list, a NumPy array, or a
            torch tensor). A trailing axis of size 1, as in `(N, 1)`, is dropped first.
        num_classes: the number of classes; None infers `max(x) + 1`.

    Returns:
        For NumPy/list input, a float64 NumPy array of shape `x.shape + (num_classes,)`
        (as Keras 3); for a torch tensor, a float32 tensor on the same device.

    Raises:
        ValueError: a label is not an integer.
        OutOfRangeError (an IndexError and a ValueError): a label is negative or not below
            `num_classes`.

    Example:
        >>> to_categorical([[1], [0]])
        array([[0., 1.],
               [1., 0.]])
    """
    if isinstance(x, torch.Tensor):
        labels = _as_integer_labels(backend.to_numpy(x))
        one_hot = _one_hot(labels, _num_classes(labels, num_classes))
        return torch.as_tensor(one_hot, dtype=torch.float32, device=x.device)
    labels = _as_integer_labels(np.asarray(x))
    return _one_hot(labels, _num_classes(labels, num_classes))


def _as_integer_labels(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.integer)
                                   or np.issubdtype(x.dtype, np.floating)):
        raise ValueError(f"to_categorical expects integer class labels; received an array of "
                         f"dtype {x.dtype}.")
    if np.issubdtype(x.dtype, np.floating):
        not_integral = x[~(np.isfinite(x) & (x == np.round(x)))]
        if not_integral.size:
            raise ValueError(
                f"to_categorical expects integer class labels, but received values such as "
                f"{not_integral.flat[0]}. If these are predicted probabilities, take "
                f"`argmax(axis=-1)` first.")
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    return x.astype(np.int64)


def _num_classes(labels: np.ndarray, num_classes: int | None) -> int:
    if labels.size and labels.min() < 0:
        raise OutOfRangeError(f"to_categorical expects labels from 0 to num_classes - 1, but "
                              f"received the negative label {labels.min()}.")
    if num_classes is None:
        if not labels.size:
            raise ValueError("to_categorical received no labels; pass `num_classes` to encode "
                             "an empty array.")
        return int(labels.max()) + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise ValueError(f"Argument `num_classes` must be a positive integer or None; received "
                         f"num_classes={num_classes!r}.")
    if labels.size and labels.max() >= num_classes:
        raise OutOfRangeError(f"to_categorical received the label {labels.max()}, which is not "
                              f"below num_classes={num_classes}: labels must run from 0 to "
                              f"{num_classes - 1}. Pass num_classes={labels.max() + 1} or None.")
    return int(num_classes)


def _one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    flat = labels.reshape(-1)
    one_hot = np.zeros((flat.size, num_classes), dtype=np.float64)
    one_hot[np.arange(flat.size), flat] = 1.0
    return one_hot.reshape(labels.shape + (num_classes,))


def normalize(x, axis: int = -1, order: int | float = 2):
    """Divides `x` by its `order`-norm along `axis`; all-zero slices stay zero.

    Args:
        x: a NumPy array (or list) or a torch tensor.
        axis: the axis along which the norm is taken.
        order: the norm's order (2 for the Euclidean norm, 1, `np.inf`, ...).

    Returns:
        A normalized copy: a NumPy array for NumPy/list input (float64 for integer
        input), a tensor for tensor input.

    Example:
        >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
    """
    if isinstance(x, torch.Tensor):
        if not torch.is_floating_point(x):
            x = x.to(backend.torch_dtype(backend.floatx()))
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / torch.clamp(norm, min=backend.epsilon())
    x = np.asarray(x)
    _check_axis(axis, x.ndim)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm


def _check_axis(axis, ndim: int) -> None:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"Argument `axis` must be an integer; received axis={axis!r}.")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"Argument `axis`={axis} is out of range for an array with {ndim} "
                         f"dimension(s).")
