"""The VGG network that VGG16 and VGG19 share: blocks of 3x3 convolutions, each block ending
in a 2x2 max pooling, then three dense layers (Keras' layer names, order and weight shapes).

Example:
    >>> model = VGG((2, 2, 3, 3, 3), include_top=False, weights=None,
    ...             input_shape=(32, 32, 3), name="vgg16")
    >>> model.output_shape
    (None, 1, 1, 512)
"""
from __future__ import annotations

from collections.abc import Sequence

from lamina import layers
from lamina.applications import building, imagenet_utils
from lamina.models import Functional

__all__ = ["VGG"]

_FILTERS = (64, 128, 256, 512, 512)


def VGG(convolutions_per_block: Sequence[int], include_top: bool = True, weights="imagenet",
        input_tensor=None, input_shape=None, pooling: str | None = None, classes: int = 1000,
        classifier_activation="softmax", name: str = "vgg", weights_files=None,
        builder: str = "VGG") -> Functional:
    """A VGG network with `convolutions_per_block[i]` convolutions in block i + 1.

    Args:
        convolutions_per_block: five counts: (2, 2, 3, 3, 3) is VGG16, (2, 2, 4, 4, 4) VGG19.
        weights_files: `{include_top: (file name, URL, MD5)}` of Keras' ImageNet weights.
        builder: the public builder's name, for messages ("VGG16").
        Others: as for `VGG16`.

    Returns:
        The model.
    """
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=224, min_size=32)
    x = img_input
    for block, (filters, count) in enumerate(zip(_FILTERS, convolutions_per_block), start=1):
        for index in range(1, count + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{index}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)

    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = building.top(x, include_top=False, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, weights=weights,
                         pool_names=(None, None))
    model = building.functional(img_input, input_tensor, x, name)
    fname, origin, file_hash = (weights_files or {}).get(include_top, (None, None, None))
    building.load_weights(model, weights, builder, fname, origin, file_hash)
    return model
