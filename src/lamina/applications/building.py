"""What every application builder does around its network: check `weights`, make the image
input, find the model's inputs, and load the weights it was asked for.

Example:
    >>> check_weights(None, include_top=True, classes=10)
"""
from __future__ import annotations

import os

from lamina import layers
from lamina.applications.downloads import fetch_keras_file
from lamina.ops.keras_tensor import KerasTensor

__all__ = ["check_weights", "image_input", "load_weights"]


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
