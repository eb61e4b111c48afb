"""`keras.applications.inception_v3`: InceptionV3 (Szegedy et al., CVPR 2016).

A stem of plain convolutions, then eleven "mixed" modules that run 1x1, factorized 3x3 /
5x5 / 7x7 and pooling branches side by side and concatenate them. As in Keras, only the
modules' concatenations and the classifier are named; the convolutions keep their
automatic names (`conv2d_12`, ...), which is why Keras' legacy `.h5` files (matched by
layer order) load.

Example:
    >>> model = InceptionV3(include_top=False, weights=None, input_shape=(75, 75, 3),
    ...                     pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 2048), 21802784)
"""
from __future__ import annotations

from lamina import layers
from lamina.applications import building
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional

__all__ = ["InceptionV3", "conv2d_bn", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS_FILES = {
    True: ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
           _BASE + "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
           "9a0d58056eeedaa3f26cb7ebd46da564"),
    False: ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            _BASE + "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "bcbd6486424b2319ff4ef7d526e38f63"),
}



def conv2d_bn(x, filters: int, num_row: int, num_col: int, padding: str = "same",
              strides=(1, 1), name: str | None = None):
    """Convolution (no bias), BatchNormalization without scale, ReLU; named `{name}_conv`,
    `{name}_bn` and `name` when `name` is given."""
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=building.channel_axis(3), scale=False,
                                  name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _average_branch(x, filters: int):
    branch = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(branch, filters, 1, 1)


def _mixed_35(x, pool_filters: int, name: str):
    """A 35x35 module: 1x1, 5x5, double 3x3 and pooling branches."""
    branch1x1 = conv2d_bn(x, 64, 1, 1)
    branch5x5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    branch3x3dbl = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    branch_pool = _average_branch(x, pool_filters)
    return layers.concatenate([branch1x1, branch5x5, branch3x3dbl, branch_pool],
                              axis=building.channel_axis(3), name=name)


def _mixed_17(x, filters_7x7: int, name: str):
    """A 17x17 module: 1x1, factorized 7x7, double factorized 7x7 and pooling branches."""
    branch1x1 = conv2d_bn(x, 192, 1, 1)
    branch7x7 = conv2d_bn(x, filters_7x7, 1, 1)
    branch7x7 = conv2d_bn(branch7x7, filters_7x7, 1, 7)
    branch7x7 = conv2d_bn(branch7x7, 192, 7, 1)
    branch7x7dbl = conv2d_bn(x, filters_7x7, 1, 1)
    for rows, cols in ((7, 1), (1, 7), (7, 1)):
        branch7x7dbl = conv2d_bn(branch7x7dbl, filters_7x7, rows, cols)
    branch7x7dbl = conv2d_bn(branch7x7dbl, 192, 1, 7)
    branch_pool = _average_branch(x, 192)
    return layers.concatenate([branch1x1, branch7x7, branch7x7dbl, branch_pool],
                              axis=building.channel_axis(3), name=name)


def _mixed_8(x, index: int):
    """An 8x8 module: 1x1, split 3x3, double split 3x3 and pooling branches."""
    axis = building.channel_axis(3)
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3 = layers.concatenate([conv2d_bn(branch3x3, 384, 1, 3),
                                    conv2d_bn(branch3x3, 384, 3, 1)], axis=axis,
                                   name=f"mixed9_{index}")
    branch3x3dbl = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
    branch3x3dbl = layers.concatenate([conv2d_bn(branch3x3dbl, 384, 1, 3),
                                       conv2d_bn(branch3x3dbl, 384, 3, 1)], axis=axis)
    branch_pool = _average_branch(x, 192)
    return layers.concatenate([branch1x1, branch3x3, branch3x3dbl, branch_pool], axis=axis,
                              name=f"mixed{9 + index}")


def _reduction(x, branches, name: str):
    """A grid reduction: strided convolution branches beside a strided max pooling."""
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    return layers.concatenate([*branches, branch_pool], axis=building.channel_axis(3), name=name)


def InceptionV3(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "inception_v3") -> Functional:
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=299, min_size=75)
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for index, pool_filters in enumerate((32, 64, 64)):
        x = _mixed_35(x, pool_filters, name=f"mixed{index}")
    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    branch3x3dbl = conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3)
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, strides=(2, 2), padding="valid")
    x = _reduction(x, [branch3x3, branch3x3dbl], name="mixed3")
    for index, filters_7x7 in enumerate((128, 160, 160, 192)):
        x = _mixed_17(x, filters_7x7, name=f"mixed{4 + index}")
    branch3x3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    branch7x7x3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 192, 1, 7)
    branch7x7x3 = conv2d_bn(conv2d_bn(branch7x7x3, 192, 7, 1), 192, 3, 3, strides=(2, 2),
                            padding="valid")
    x = _reduction(x, [branch3x3, branch7x7x3], name="mixed8")
    for index in range(2):
        x = _mixed_8(x, index)
    x = building.top(x, include_top=include_top, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, weights=weights,
                     pool_names=(None, None))
    model = building.functional(img_input, input_tensor, x, name)
    building.load_weights(model, weights, "InceptionV3", *WEIGHTS_FILES[bool(include_top)])
    return model


InceptionV3.__doc__ = f"""Instantiates InceptionV3, with Keras' layer names and weight layout.

    The default input is 299x299 RGB; call `inception_v3.preprocess_input` on images in
    [0, 255] first (scales to [-1, 1]).

    Args:
        {building.ARGS_DOC.format(default_size=299, min_size=75)}

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """
preprocess_input = building.preprocess_input_for("tf", "InceptionV3")
