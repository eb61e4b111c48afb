"""Warnings for slips that train without an error but learn nothing, caught before training.

- softmax on a single unit with binary cross-entropy (it always outputs 1.0);
- sigmoid outputs into a multi-class cross-entropy (scores that do not sum to 1);
- raw 0–255 pixel values fed to a model with no scaling layer;
- a misspelt metric name, raised at compile instead of at the first fit;
- token indices past an input-facing Embedding's table, raised before the first step.

Example:
    >>> model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(1, activation="softmax")])
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_output_activation(model, "binary_crossentropy")
    >>> "always outputs 1.0" in str(caught[0].message)
    True
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

from lamina.engine.compile_utils import check_metric_names
from lamina.utils.errors import user_stacklevel

__all__ = ["check_compile_metrics", "check_embedding_indices", "warn_output_activation",
           "warn_unscaled_images"]

_BINARY_LOSSES = {"binary_crossentropy", "bce", "BinaryCrossentropy", "binary_focal_crossentropy",
                  "BinaryFocalCrossentropy"}
_MULTICLASS_LOSSES = {"categorical_crossentropy", "sparse_categorical_crossentropy",
                      "CategoricalCrossentropy", "SparseCategoricalCrossentropy"}
# Layers that bring pixel values into a small range themselves.
_SCALING_LAYERS = {"Rescaling", "Normalization", "BatchNormalization", "LayerNormalization"}


def _loss_name(loss) -> str | None:
    if isinstance(loss, str):
        return loss
    name = getattr(loss, "__name__", None) or type(loss).__name__
    inner = getattr(loss, "fn", None)
    return getattr(inner, "__name__", name) if inner is not None else name


def _output_layers(model) -> list:
    outputs = getattr(model, "_output_tensors", None)
    if outputs:
        return [t.history[0] for t in outputs]
    layers = getattr(model, "layers", None)
    return layers[-1:] if layers else []


def _activation_name(layer) -> str | None:
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def warn_output_activation(model, loss) -> None:
    """Warns (at compile) when the output activation cannot work with the loss."""
    losses = list(loss.values()) if isinstance(loss, dict) else (
        list(loss) if isinstance(loss, (list, tuple)) else [loss])
    layers = _output_layers(model)
    if len(losses) == 1:
        losses = losses * len(layers)
    for layer, layer_loss in zip(layers, losses):
        name, activation = _loss_name(layer_loss), _activation_name(layer)
        units = getattr(layer, "units", None)
        if name in _BINARY_LOSSES and activation == "softmax" and units == 1:
            warnings.warn(
                f"Layer '{layer.name}' has 1 unit with activation='softmax' and the loss is "
                f"{name}: a softmax over a single unit always outputs 1.0, so the model cannot "
                f"learn. For binary classification use Dense(1, activation='sigmoid') with "
                f"binary_crossentropy (or Dense(2, activation='softmax') with "
                f"sparse_categorical_crossentropy).", stacklevel=user_stacklevel())
        elif name in _MULTICLASS_LOSSES and activation == "sigmoid" and units not in (None, 1):
            warnings.warn(
                f"Layer '{layer.name}' has activation='sigmoid' on {units} units, but {name} "
                f"expects class probabilities that sum to 1. Use activation='softmax' for "
                f"one class per sample (or binary_crossentropy for several labels per sample).",
                stacklevel=user_stacklevel())


def warn_unscaled_images(model, x) -> None:
    """Warns (at fit) when x holds raw 0–255 pixels and the model does not scale them."""
    if not isinstance(x, np.ndarray) or x.ndim < 3 or x.size == 0:
        return
    if x.dtype == np.uint8:
        raw = True
    elif x.dtype.kind == "f":
        sample = np.asarray(x.reshape(-1)[:4096])
        raw = float(np.nanmax(sample)) > 1.5 and float(np.nanmin(sample)) >= 0 and np.all(sample == np.round(sample))
    else:
        return
    if not raw or any(_may_scale(layer) for layer in _leading_layers(model)):
        return
    warnings.warn(
        f"x holds raw pixel values from 0 to 255 (dtype {x.dtype}), and the model does not "
        f"rescale them: training will be slow or unstable. Scale the images first, "
        f"`x_train = x_train / 255.0` (and the same for x_test), or make "
        f"`layers.Rescaling(1. / 255)` the model's first layer.", stacklevel=user_stacklevel())


def _may_scale(layer) -> bool:
    """A scaling layer, tensor arithmetic (`x / 127.5 - 1`, an application's
    `preprocess_input`), or a layer whose arithmetic lamina cannot see (a Lambda, a user's)."""
    return (type(layer).__name__ in _SCALING_LAYERS or type(layer).__name__ == "Lambda"
            or getattr(layer, "_is_operation", False)
            or not type(layer).__module__.startswith("lamina."))


def _leading_layers(model) -> list:
    """The layers before the first layer with weights (where a scaling layer would sit),
    looking inside a nested model (keras.io's `data_augmentation` Sequential)."""
    leading = []
    # A graph's operations too: Keras' `layers` leaves out `x / 255`, which rescales.
    for layer in getattr(model, "operations", None) or getattr(model, "layers", []):
        inner = _leading_layers(layer) if getattr(layer, "layers", None) else [layer]
        leading += inner
        if any(one.weights and type(one).__name__ not in _SCALING_LAYERS for one in inner):
            break
    return leading


def check_compile_metrics(metrics, weighted_metrics=None) -> None:
    """Raises at compile for a metric name no metric has, naming the close matches.

    Keras finds the slip only when fit builds the metrics; a learner should hear of it
    on the line that made it.

    Example:
        >>> check_compile_metrics(["accuracy", "acc", "mae"])
        >>> check_compile_metrics(["acuracy"])
        Traceback (most recent call last):
        ...
        ValueError: Unknown metric: 'acuracy'. Did you mean 'accuracy' or 'Accuracy' or 'BinaryAccuracy'? ...
    """
    check_metric_names(metrics, weighted_metrics)


def check_embedding_indices(model, x) -> None:
    """Raises IndexError (before any step) when `x` holds token indices past the table of an
    Embedding that reads a model input directly.

    On the CPU the lookup fails by itself; on an accelerator it is a device-side assert that
    leaves the process unusable, so the whole input is read once (one min/max per input).
    """
    inputs = list(getattr(model, "inputs", None) or [])
    if isinstance(x, dict):
        names = getattr(model, "input_keys", [])
        data = [x.get(name) for name in names]
    else:
        data = list(x) if isinstance(x, (list, tuple)) else [x]
    if len(data) != len(inputs):
        return
    by_input = {id(symbolic): tensor for symbolic, tensor in zip(inputs, data)}
    for layer in getattr(model, "layers", []):
        check = getattr(layer, "check_index_range", None)
        if check is None:
            continue
        try:
            tensor = by_input.get(id(layer.input))
        except AttributeError:  # a layer called more than once has no single input
            continue
        if isinstance(tensor, torch.Tensor):
            check(tensor)
