"""`keras.applications.xception`: Xception (Chollet, CVPR 2017).

Depthwise separable convolutions throughout: an entry flow of strided residual blocks, eight
middle-flow blocks of three separable convolutions, and an exit flow. As in Keras, the 1x1
shortcut convolutions and their BatchNormalizations keep automatic names.

Example:
    >>> model = Xception(include_top=False, weights=None, input_shape=(71, 71, 3),
    ...                  pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 2048), 20861480)
"""
from __future__ import annotations

from lamina import layers
from lamina.applications import building
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS_FILES = {
    True: ("xception_weights_tf_dim_ordering_tf_kernels.h5",
           _BASE + "xception_weights_tf_dim_ordering_tf_kernels.h5",
           "0a58e3b7378bc2990ea3b43d5981f1f6"),
    False: ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            _BASE + "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "b0042744bf5b25fce3cb969f33bebb97"),
}



def _separable_bn(x, filters: int, name: str):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=building.channel_axis(-1), name=f"{name}_bn")(x)


def _entry_block(x, filters, block: int, first_relu: bool = True):
    """Two separable convolutions and a strided max pooling, added to a strided 1x1
    convolution of the input; `filters` is one count or the two convolutions' counts."""
    first, second = (filters, filters) if isinstance(filters, int) else filters
    residual = layers.Conv2D(second, (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = layers.BatchNormalization(axis=building.channel_axis(-1))(residual)
    if first_relu:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _separable_bn(x, first, f"block{block}_sepconv1")
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _separable_bn(x, second, f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same",
                            name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def _middle_block(x, block: int):
    residual = x
    for index in (1, 2, 3):
        x = layers.Activation("relu", name=f"block{block}_sepconv{index}_act")(x)
        x = _separable_bn(x, 728, f"block{block}_sepconv{index}")
    return layers.add([x, residual])


def Xception(include_top: bool = True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling: str | None = None, classes: int = 1000,
             classifier_activation="softmax", name: str = "xception") -> Functional:
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=299, min_size=71)
    axis = building.channel_axis(-1)
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _entry_block(x, 128, 2, first_relu=False)
    x = _entry_block(x, 256, 3)
    x = _entry_block(x, 728, 4)
    for block in range(5, 13):
        x = _middle_block(x, block)
    x = _entry_block(x, (728, 1024), 13)
    x = _separable_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _separable_bn(x, 2048, "block14_sepconv2")
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)
    x = building.top(x, include_top=include_top, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, weights=weights,
                     pool_names=(None, None))
    model = building.functional(img_input, input_tensor, x, name)
    building.load_weights(model, weights, "Xception", *WEIGHTS_FILES[bool(include_top)])
    return model


Xception.__doc__ = f"""Instantiates Xception, with Keras' layer names and weight layout.

    The default input is 299x299 RGB; call `xception.preprocess_input` on images in [0, 255]
    first (scales to [-1, 1]).

    Args:
        {building.ARGS_DOC.format(default_size=299, min_size=71)}

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """
preprocess_input = building.preprocess_input_for("tf", "Xception")
