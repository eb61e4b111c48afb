"""`keras.applications.mobilenet_v2`: MobileNetV2 (Sandler et al., CVPR 2018).

Inverted residual blocks: a 1x1 expansion, a 3x3 depthwise convolution, a linear 1x1
projection, and a skip connection where shapes allow. `alpha` scales every layer's width.
Layer names, order and weight shapes are Keras', so Keras' ImageNet files load.

Example:
    >>> model = MobileNetV2(alpha=0.35, input_shape=(96, 96, 3), include_top=False,
    ...                     weights=None, pooling="avg")
    >>> model.name, model.output_shape, model.count_params()
    ('mobilenetv2_0.35_96', (None, 1280), 410208)
"""
from __future__ import annotations

import warnings

from lamina import backend, layers
from lamina.applications import building, imagenet_utils
from lamina.models import Functional
from lamina.ops.keras_tensor import KerasTensor

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
_SIZES = (96, 128, 160, 192, 224)
# (filters, stride, expansion) of blocks 0..16.
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
           (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6),
           (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))


def MobileNetV2(input_shape=None, alpha: float = 1.0, include_top: bool = True,
                weights="imagenet", input_tensor=None, pooling: str | None = None,
                classes: int = 1000, classifier_activation="softmax",
                name: str | None = None) -> Functional:
    """Instantiates MobileNetV2, with Keras' layer names and weight layout.

    Call `mobilenet_v2.preprocess_input` on images in [0, 255] first (scales to [-1, 1]).

    Args:
        input_shape: the shape of one image; ImageNet weights exist for square 96, 128, 160,
            192 and 224 inputs (other sizes load the 224 weights, with a warning).
        alpha: width multiplier: below 1 thins every layer, above 1 widens it; ImageNet
            weights exist for 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4.
        include_top: whether to include the classifier at the top.
        weights: None (random initialization), "imagenet" (Keras' ImageNet weights,
            downloaded once), or the path of a weights file (`.h5` or `.weights.h5`).
        input_tensor: optional Keras tensor (e.g. `keras.Input(...)`'s output) to use as input.
        pooling: with `include_top=False`: None (4D output), "avg" or "max" (2D output).
        classes: number of classes, only without ImageNet weights on the classifier.
        classifier_activation: the top layer's activation; None gives logits. With pretrained
            weights only None or "softmax".
        name: the model's name; default `mobilenetv2_{alpha:.2f}_{rows}`.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `alpha`, `input_shape`, `input_tensor`, `classes` or
            activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """
    building.check_weights(weights, include_top, classes)
    first = backend.image_data_format() == "channels_first"
    if input_tensor is not None and not isinstance(input_tensor, KerasTensor):
        building.image_input(input_tensor, input_shape)  # raises the input_tensor error
    if input_shape is not None and input_tensor is not None:
        given = tuple(input_tensor.shape[1:])
        if any(a is not None and b is not None and a != b
               for a, b in zip(given, tuple(input_shape))) or len(given) != len(input_shape):
            raise ValueError(f"`input_shape` must match the shape of `input_tensor` (without "
                             f"the batch axis); Received `input_tensor.shape="
                             f"{input_tensor.shape}`, `input_shape={input_shape}`")
    size_source = input_shape if input_shape is not None else (
        tuple(input_tensor.shape[1:]) if input_tensor is not None else None)
    default_size = 224
    if size_source is not None:
        rows, cols = (size_source[1], size_source[2]) if first else (size_source[0],
                                                                     size_source[1])
        if rows == cols and rows in _SIZES:
            default_size = rows
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    if weights == "imagenet":
        if alpha not in _ALPHAS:
            raise ValueError(f"If imagenet weights are being loaded, alpha must be one of "
                             f"`0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received "
                             f"`alpha={alpha}`")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                          "[96, 128, 160, 192, 224]. Weights for input shape (224, 224) will "
                          "be loaded as the default.", stacklevel=2)
    img_input = building.image_input(input_tensor, input_shape)
    channel_axis = building.channel_axis(-1)

    x = layers.Conv2D(building.make_divisible(32 * alpha, 8), kernel_size=3,
                      strides=(2, 2), padding="same", use_bias=False, name="Conv1")(img_input)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id)
    last_block_filters = building.make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = building.top(x, include_top=False, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, weights=weights,
                         pool_names=(None, None))
    model = building.functional(img_input, input_tensor, x,
                                name or f"mobilenetv2_{alpha:0.2f}_{rows}")
    top = "" if include_top else "_no_top"
    fname = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}{top}.h5"
    # Keras publishes no hash for these files.
    building.load_weights(model, weights, "MobileNetV2", fname, BASE_WEIGHT_PATH + fname, None)
    return model


def _inverted_res_block(inputs, expansion: int, stride: int, alpha: float, filters: int,
                        block_id: int):
    channel_axis = building.channel_axis(-1)
    in_channels = inputs.shape[channel_axis]
    pointwise_filters = building.make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=f"{prefix}expand")(x)
        x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                      name=f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=f"{prefix}project")(x)
    x = layers.BatchNormalization(axis=channel_axis, epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def preprocess_input(x, data_format: str | None = None):
    """MobileNetV2's preprocessing: pixels in [0, 255] scaled to [-1, 1] ("tf").

    See `imagenet_utils.preprocess_input` for the arguments.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """The top classes of ImageNet predictions; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
