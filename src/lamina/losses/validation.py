"""One check of the labels against the loss and the model output, before fit/evaluate run.

The training step cannot afford host reads, so learner slips (one-hot labels with a sparse
loss, labels beyond the output units, shapes that would broadcast) are caught once here, on
the whole label tensor, with messages that say what to change.

Example:
    >>> import numpy as np
    >>> validate_targets("sparse_categorical_crossentropy", np.array([0, 9]), (None, 10))
"""
from __future__ import annotations

import inspect

import numpy as np
import torch

from lamina import backend
from lamina.losses import classes, probabilistic, regression
from lamina.losses.base import Loss, LossFunctionWrapper
from lamina.losses.registry import get

__all__ = ["validate_targets"]

_SPARSE, _CATEGORICAL, _BINARY, _ELEMENTWISE = "sparse", "categorical", "binary", "elementwise"

_KIND_OF_FUNCTION = {
    probabilistic.sparse_categorical_crossentropy: _SPARSE,
    probabilistic.categorical_crossentropy: _CATEGORICAL,
    probabilistic.categorical_focal_crossentropy: _CATEGORICAL,
    probabilistic.binary_crossentropy: _BINARY,
    probabilistic.binary_focal_crossentropy: _BINARY,
}
_KIND_OF_FUNCTION.update({getattr(probabilistic, name): _ELEMENTWISE
                          for name in ("kl_divergence", "poisson")})
_KIND_OF_FUNCTION.update({getattr(regression, name): _ELEMENTWISE for name in regression.__all__})


def _resolve(loss):
    """(kind, display name, ignore_class) of a loss identifier, or None when it is custom."""
    if isinstance(loss, (str, dict)) or (inspect.isclass(loss) and issubclass(loss, Loss)):
        try:
            loss = get(loss)
        except (ValueError, TypeError):
            return None
    if isinstance(loss, LossFunctionWrapper) and type(loss).__module__ in (
            classes.__name__, LossFunctionWrapper.__module__):
        kind = _KIND_OF_FUNCTION.get(loss.fn)
        ignore_class = loss._fn_kwargs.get("ignore_class")
        name = getattr(loss.fn, "__name__", loss.name)
    else:
        kind = _KIND_OF_FUNCTION.get(loss) if callable(loss) else None
        ignore_class = None
        name = getattr(loss, "__name__", "")
    return None if kind is None else (kind, name, ignore_class)


def _label_tensor(y_true):
    if isinstance(y_true, torch.Tensor):
        return y_true.detach()
    try:
        array = np.asarray(y_true)
        if array.dtype.kind not in "biuf":
            return None
        return backend.to_tensor(array, device="cpu")
    except (TypeError, ValueError):
        return None


def _fmt(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _dims_match(label_shape, output_shape) -> bool:
    return len(label_shape) == len(output_shape) and all(
        out is None or lab == out for lab, out in zip(label_shape, output_shape))


def _match_ranks(label_shape, output_shape):
    """Keras' rule on shapes: a rank gap of one with a trailing 1 is closed, not broadcast."""
    if len(label_shape) == len(output_shape) + 1 and label_shape[-1] == 1:
        if len(output_shape) == 1:
            return label_shape, output_shape + (1,)
        return label_shape[:-1], output_shape
    if len(output_shape) == len(label_shape) + 1 and output_shape[-1] == 1:
        if len(label_shape) == 1:
            return label_shape + (1,), output_shape
        return label_shape, output_shape[:-1]
    return label_shape, output_shape


def _broadcastable(label_shape, output_shape) -> bool:
    for lab, out in zip(reversed(label_shape), reversed(output_shape)):
        if not (out is None or lab == out or lab == 1 or out == 1):
            return False
    return True


def _same_shape(label_shape, output_shape) -> bool:
    return len(label_shape) == len(output_shape) and all(
        lab is None or out is None or lab == out for lab, out in zip(label_shape, output_shape))


def _extra_axes_hint(label_shape, output_shape) -> str:
    """The fix when one label per sample meets an output with axes left between batch and classes."""
    if len(label_shape) != 1 or len(output_shape) < 3:
        return ""
    return (f" The output keeps axes {_fmt(output_shape[1:-1])} between the samples and the "
            f"classes: a Dense layer on inputs of 3 or more dimensions acts on the last axis only "
            f"(and an RNN with return_sequences=True outputs one vector per step). Add "
            f"`layers.Flatten()` (or GlobalAveragePooling) before the output layer, so that it "
            f"outputs {_fmt((output_shape[0], output_shape[-1]))}.")


def _check_sparse(labels, label_shape, output_shape, ignore_class) -> None:
    units = output_shape[-1]
    rank = len(output_shape)
    if len(label_shape) == rank and units not in (None, 1) and label_shape[-1] == units:
        raise ValueError(
            f"sparse_categorical_crossentropy expects integer class labels of shape (N,) or "
            f"(N, 1), but received labels of shape {_fmt(label_shape)}, which look one-hot "
            f"encoded (one column per class): use loss='categorical_crossentropy' for one-hot "
            f"labels, or pass integer labels (e.g. y.argmax(axis=-1)).")
    squeezed = label_shape[:-1] if len(label_shape) == rank and label_shape[-1:] == (1,) \
        else label_shape
    if not _dims_match(squeezed, output_shape[:-1]):
        raise ValueError(
            f"sparse_categorical_crossentropy expects integer class labels of shape "
            f"{_fmt(output_shape[:-1])} or {_fmt(output_shape[:-1] + (1,))} for model outputs of "
            f"shape {_fmt(output_shape)}, but received labels of shape {_fmt(label_shape)}."
            f"{_extra_axes_hint(squeezed, output_shape)}")
    if labels.numel() == 0:
        return
    if labels.is_floating_point() and not bool((labels == labels.round()).all()):
        raise ValueError(
            "sparse_categorical_crossentropy expects integer class labels (0, 1, 2, ...), but "
            "received non-integer label values. Pass the class index of each sample.")
    valid = labels if ignore_class is None else labels[labels != ignore_class]
    if valid.numel() == 0:
        return
    low, high = int(valid.min()), int(valid.max())
    if low < 0:
        raise ValueError(
            f"sparse_categorical_crossentropy received a negative label value {low}: labels "
            f"must be class indices 0 to {units - 1 if units else 'C-1'}. Map the classes to "
            f"0, 1, 2, ... (or set ignore_class={low} to skip those entries).")
    if units is not None and high >= units:
        hint = (" With a single output unit, use activation='sigmoid' and "
                "loss='binary_crossentropy' for two classes." if units == 1 else "")
        raise ValueError(
            f"sparse_categorical_crossentropy received a label value of {high}, but the model's "
            f"output has {units} unit{'s' if units != 1 else ''}, so labels must lie in 0 to "
            f"{units - 1}. Give the last layer {high + 1} units (one per class, e.g. "
            f"Dense({high + 1}, activation='softmax')) or check the labels.{hint}")


def _check_categorical(name, label_shape, output_shape) -> None:
    units = output_shape[-1]
    rank = len(output_shape)
    integer_like = len(label_shape) == rank - 1 or (len(label_shape) == rank
                                                    and label_shape[-1] == 1)
    if units is not None and units > 1 and integer_like:
        raise ValueError(
            f"{name} expects one-hot labels of shape {_fmt(output_shape)}, but received integer "
            f"class labels of shape {_fmt(label_shape)}: use "
            f"loss='sparse_categorical_crossentropy' for integer labels, or one-hot encode with "
            f"keras.utils.to_categorical(y, num_classes={units}).")
    if len(label_shape) == rank and units is not None and label_shape[-1] != units:
        raise ValueError(
            f"{name} expects one-hot labels with {units} columns (one per output unit: the "
            f"output has shape {_fmt(output_shape)}), but received labels of shape "
            f"{_fmt(label_shape)}. The labels have "
            f"{label_shape[-1]} classes: give the last layer {label_shape[-1]} units, or encode "
            f"with keras.utils.to_categorical(y, num_classes={units}).")
    if not _dims_match(label_shape, output_shape):
        raise ValueError(f"{name} expects labels of shape {_fmt(output_shape)} (one-hot), but "
                         f"received labels of shape {_fmt(label_shape)}.")


def _check_elementwise(name, label_shape, output_shape) -> None:
    matched_labels, matched_output = _match_ranks(label_shape, output_shape)
    if not _broadcastable(matched_labels, matched_output):
        raise ValueError(
            f"Loss {name!r} expects labels shaped like the model output {_fmt(output_shape)}, "
            f"but received labels of shape {_fmt(label_shape)}. Reshape the labels, or change "
            f"the last layer's units to match them.")


def _check_binary(name, labels, label_shape, output_shape) -> None:
    matched_labels, matched_output = _match_ranks(label_shape, output_shape)
    # Keras' binary crossentropy wants equal shapes (after the rank match): (N, 3) labels on
    # a (None, 1) output would broadcast to a meaningless loss.
    if not _same_shape(matched_labels, matched_output):
        units = output_shape[-1] if output_shape else None
        hint = (f" For integer class labels with {units} output units, use "
                f"loss='sparse_categorical_crossentropy'." if units not in (None, 1) else "")
        raise ValueError(
            f"{name} expects labels shaped like the model output {_fmt(output_shape)}, but "
            f"received labels of shape {_fmt(label_shape)}.{hint}")
    if labels.numel() == 0:
        return
    low, high = float(labels.min()), float(labels.max())
    if low < 0.0 or high > 1.0:
        hint = ""
        if high > 1.0 and high == int(high) and low >= 0.0:
            classes_count = int(high) + 1
            hint = (f" For {classes_count} classes, end the model with "
                    f"Dense({classes_count}, activation='softmax') and use "
                    f"loss='sparse_categorical_crossentropy'.")
        raise ValueError(f"{name} expects labels between 0 and 1, but received label values from "
                         f"{low:g} to {high:g}.{hint}")


def validate_targets(loss, y_true, y_pred_shape) -> None:
    """Checks the labels against the loss and the model's output shape; raises on a slip.

    Called once per fit/evaluate with the whole label tensor; it may read values to the host.

    Args:
        loss: a loss name, function, `Loss` class or instance (as given to compile).
        y_true: the labels: a tensor on any device or an array.
        y_pred_shape: the model output's shape; the batch entry may be None.

    Returns:
        None when the labels fit; custom losses and unreadable labels are not checked.

    Raises:
        ValueError: naming the loss, the shapes or label values, and the fix.

    Example:
        >>> validate_targets("categorical_crossentropy", np.zeros((4, 3)), (None, 3))
    """
    resolved = _resolve(loss)
    labels = _label_tensor(y_true)
    if resolved is None or labels is None or y_pred_shape is None:
        return None
    kind, name, ignore_class = resolved
    output_shape = tuple(None if d is None else int(d) for d in y_pred_shape)
    label_shape = tuple(int(d) for d in labels.shape)
    if not output_shape:
        return None
    if kind == _SPARSE:
        _check_sparse(labels, label_shape, output_shape, ignore_class)
    elif kind == _CATEGORICAL:
        _check_categorical(name, label_shape, output_shape)
    elif kind == _BINARY:
        _check_binary(name, labels, label_shape, output_shape)
    else:
        _check_elementwise(name, label_shape, output_shape)
    return None
