"""`keras.applications.mobilenet`: MobileNet (Howard et al., 2017).

A 3x3 convolution, then thirteen depthwise separable blocks (3x3 depthwise, 1x1 pointwise,
each with BatchNormalization and ReLU6). `alpha` scales every layer's width and
`depth_multiplier` the depthwise convolutions' channels. Layer names, order and weight shapes
are Keras', so Keras' ImageNet files load.

Example:
    >>> model = MobileNet(alpha=0.25, input_shape=(128, 128, 3), include_top=False,
    ...                   weights=None, pooling="avg")
    >>> model.name, model.output_shape, model.count_params()
    ('mobilenet_0.25_128', (None, 256), 218544)
"""
from __future__ import annotations

import warnings

from lamina import backend, layers
from lamina.applications import building, imagenet_utils
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_ALPHAS = (0.25, 0.50, 0.75, 1.0)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.50: "5_0", 0.25: "2_5"}
_SIZES = (128, 160, 192, 224)
# (pointwise filters, strides) of blocks 1..13.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))



def _rows_cols(input_shape) -> tuple:
    if backend.image_data_format() == "channels_first":
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def MobileNet(input_shape=None, alpha: float = 1.0, depth_multiplier: int = 1,
              dropout: float = 1e-3, include_top: bool = True, weights="imagenet",
              input_tensor=None, pooling: str | None = None, classes: int = 1000,
              classifier_activation="softmax", name: str | None = None) -> Functional:
    """Instantiates MobileNet, with Keras' layer names and weight layout.

    Call `mobilenet.preprocess_input` on images in [0, 255] first (scales to [-1, 1]).

    Args:
        input_shape: the shape of one image; ImageNet weights exist for square 128, 160, 192
            and 224 inputs (other sizes load the 224 weights, with a warning).
        alpha: width multiplier: below 1 thins every layer, above 1 widens it; ImageNet
            weights exist for 0.25, 0.5, 0.75 and 1.0.
        depth_multiplier: channels per input channel of the depthwise convolutions (1 for
            ImageNet weights).
        dropout: the dropout rate before the classifier.
        include_top: whether to include the classifier (a 1x1 convolution) at the top.
        weights: None (random initialization), "imagenet" (Keras' ImageNet weights,
            downloaded once), or the path of a weights file (`.h5` or `.weights.h5`).
        input_tensor: optional Keras tensor (e.g. `keras.Input(...)`'s output) to use as input.
        pooling: with `include_top=False`: None (4D output), "avg" or "max" (2D output).
        classes: number of classes, only without ImageNet weights on the classifier.
        classifier_activation: the top layer's activation; None gives logits. With pretrained
            weights only None or "softmax".
        name: the model's name; default `mobilenet_{alpha:.2f}_{rows}`.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `alpha`, `depth_multiplier`, `input_shape`,
            `input_tensor`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """
    default_size = 224
    if input_shape is not None:
        rows, cols = _rows_cols(input_shape)
        if rows == cols and rows in _SIZES:
            default_size = rows
    building.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = _rows_cols(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(f"If imagenet weights are being loaded, depth multiplier must be "
                             f"1.  Received depth_multiplier={depth_multiplier}")
        if alpha not in _ALPHAS:
            raise ValueError(f"If imagenet weights are being loaded, alpha can be one of"
                             f"`0.25`, `0.50`, `0.75` or `1.0` only.  Received alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                          "[128, 160, 192, 224]. Weights for input shape (224, 224) will be "
                          "loaded as the default.", stacklevel=2)
    img_input = building.image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier,
                                  strides=(stride, stride), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = building.top(x, include_top=False, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, weights=weights,
                         pool_names=(None, None))
    model = building.functional(img_input, input_tensor, x,
                                name or f"mobilenet_{alpha:0.2f}_{rows}")
    fname = (f"mobilenet_{_ALPHA_TEXT.get(alpha, '2_5')}_{rows}_tf"
             f"{'' if include_top else '_no_top'}.h5")
    # Keras publishes no hash for these files.
    building.load_weights(model, weights, "MobileNet", fname, BASE_WEIGHT_PATH + fname, None)
    return model


def _conv_block(inputs, filters: int, alpha: float, kernel=(3, 3), strides=(1, 1)):
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=building.channel_axis(-1), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_conv_filters: int, alpha: float,
                          depth_multiplier: int = 1, strides=(1, 1), block_id: int = 1):
    """3x3 depthwise (strided blocks pad bottom-right first), 1x1 pointwise, each with
    BatchNormalization and ReLU6."""
    axis = building.channel_axis(-1)
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same",
                      use_bias=False, strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


preprocess_input = building.preprocess_input_for("tf", "MobileNet")
