"""What every application builder does around its network: check `weights`, make the image
input, put the classifier or the pooling on top, find the model's inputs, and load the
weights it was asked for; and the preprocessing functions of the families' modules.

Example:
    >>> check_weights(None, include_top=True, classes=10)
    >>> img_input = model_input(None, None, weights=None, include_top=False, classes=1000,
    ...                         default_size=224, min_size=32)
    >>> x = layers.Conv2D(8, 3, name="conv")(img_input)
    >>> x = top(x, include_top=False, pooling="avg", classes=1000,
    ...         classifier_activation="softmax", weights=None)
    >>> functional(img_input, None, x, "tiny").output_shape
    (None, 8)
"""
from __future__ import annotations

import os
from collections.abc import Callable

from lamina import backend, layers
from lamina.applications import imagenet_utils
from lamina.applications.downloads import fetch_keras_file
from lamina.models import Functional
from lamina.ops.keras_tensor import KerasTensor
from lamina.ops.node import get_source_inputs

__all__ = ["ARGS_DOC", "channel_axis", "check_weights", "functional", "image_input",
           "load_weights", "make_divisible", "model_input", "passthrough_preprocess_input",
           "preprocess_input_for", "top"]

# The arguments every builder shares, for its docstring (`{default_size}`, `{min_size}`).
ARGS_DOC = """include_top: whether to include the classifier at the top.
        weights: None (random initialization), "imagenet" (Keras' ImageNet weights,
            downloaded once), or the path of a weights file (`.h5` or `.weights.h5`).
        input_tensor: optional Keras tensor (e.g. `keras.Input(...)`'s output) to use as input.
        input_shape: the shape of one image, only with `include_top=False` (otherwise it must
            be ({default_size}, {default_size}, 3) with ImageNet weights); at least
            {min_size}x{min_size}, 3 channels for ImageNet weights.
        pooling: with `include_top=False`: None (4D output of the last block), "avg" or "max"
            (global pooling to a 2D output).
        classes: number of classes, only without ImageNet weights on the classifier.
        classifier_activation: the top layer's activation; None gives logits. With pretrained
            weights only None or "softmax".
        name: the model's name."""


def channel_axis(last: int = -1) -> int:
    """The channel axis of 4D images: 1 with channels_first, else `last`.

    Keras writes 3 in some families and -1 in others, and the layers' configs keep the number
    given, so each family passes its own.

    Example:
        >>> channel_axis(3), channel_axis()
        (3, -1)
    """
    return 1 if backend.image_data_format() == "channels_first" else last


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None) -> int:
    """`value` rounded to a multiple of `divisor` (at least `min_value`, default `divisor`),
    never more than 10% below it: the widths of MobileNetV2/V3 and EfficientNet.

    Example:
        >>> make_divisible(32 * 0.35), make_divisible(1280 * 1.4)
        (16, 1792)
    """
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def check_weights(weights, include_top: bool, classes: int) -> None:
    """Refuses a `weights` that is neither None, "imagenet" nor an existing file.

    Raises:
        ValueError: such a `weights`, or `classes` other than 1000 with the ImageNet
            classifier (`weights="imagenet", include_top=True`).
    """
    is_file = isinstance(weights, (str, os.PathLike)) and os.path.isfile(weights)
    if not (weights is None or weights == "imagenet" or is_file):
        raise ValueError(f"The `weights` argument should be either `None` (random "
                         f"initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded (no file exists at that path).  "
                         f"Received: weights={weights!r}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(f"If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000.  Received classes={classes}")


def image_input(input_tensor, input_shape: tuple) -> KerasTensor:
    """`input_tensor` when given (a Keras tensor), else a new `Input(shape=input_shape)`.

    Raises:
        ValueError: `input_tensor` is not a Keras tensor (a `keras.Input` or a layer's output).
    """
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError(f"Argument `input_tensor` must be a KerasTensor (the output of "
                         f"`keras.Input(...)` or of a layer called on one). Received invalid "
                         f"type: {type(input_tensor).__name__}. To run the model on data, "
                         f"build it first, then call it: `model(data)` or `model.predict(data)`.")
    return input_tensor


def model_input(input_tensor, input_shape, *, weights, include_top: bool, classes: int,
                default_size: int, min_size: int) -> KerasTensor:
    """Checks `weights` and the input shape as Keras does, and returns the image input.

    Raises:
        ValueError: as `check_weights`, `imagenet_utils.obtain_input_shape` and `image_input`.
    """
    check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=min_size,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    return image_input(input_tensor, input_shape)


def top(x, *, include_top: bool, pooling: str | None, classes: int, classifier_activation,
        weights, pool_names=("avg_pool", "max_pool"),
        classifier_pool_name: str | None = "avg_pool", dropout_rate: float = 0.0):
    """The classifier (global average pooling, optional dropout, Dense "predictions"), or,
    without it, the global pooling `pooling` asks for.

    Args:
        pool_names: the names of the average and the max pooling layer: Keras names them in
            some families and leaves them to the automatic names (None) in others.
        classifier_pool_name: the name of the classifier's pooling: "avg_pool" but in NASNet
            (None, the automatic name).
        dropout_rate: the "top_dropout" rate before the classifier (none when 0).

    Raises:
        ValueError: a classifier activation that pretrained weights cannot have.
    """
    if include_top:
        x = layers.GlobalAveragePooling2D(name=classifier_pool_name)(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    return x


def functional(img_input, input_tensor, outputs, name: str) -> Functional:
    """The model from the image input (or from the sources of `input_tensor`) to `outputs`."""
    inputs = img_input if input_tensor is None else get_source_inputs(input_tensor)
    return Functional(inputs, outputs, name=name)


def preprocess_input_for(mode: str, family: str) -> Callable:
    """A family's `preprocess_input`: `imagenet_utils.preprocess_input` in `mode`.

    Example:
        >>> import numpy as np
        >>> preprocess_input_for("tf", "Xception")(np.array([0.0, 255.0]))
        array([-1.,  1.])
    """
    def preprocess_input(x, data_format: str | None = None):
        return imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode)

    preprocess_input.__doc__ = (
        f"{family}'s preprocessing of images in [0, 255]: mode \"{mode}\" of "
        f"`imagenet_utils.preprocess_input`, which describes the arguments.")
    return preprocess_input


def passthrough_preprocess_input(x, data_format: str | None = None):
    """Returns `x` unchanged: these models rescale pixels in [0, 255] themselves.

    Kept, as in Keras, so that programs written for the other families run unchanged.

    Example:
        >>> passthrough_preprocess_input([0.0, 255.0])
        [0.0, 255.0]
    """
    return x


def load_weights(model, weights, builder: str, fname: str, origin: str,
                 file_hash: str | None) -> None:
    """Loads Keras' ImageNet file (`fname` from `origin`), a file at `weights`, or nothing.

    Raises:
        OSError: the ImageNet file is not cached and cannot be downloaded; the message says
            where to put a copy.
    """
    if weights == "imagenet":
        weights = fetch_keras_file(fname, origin, file_hash,
                                   what=f"the ImageNet weights of {builder}",
                                   fix=f"or pass weights='/path/to/{fname}' to {builder}(...)")
    if weights is not None:
        model.load_weights(weights)
