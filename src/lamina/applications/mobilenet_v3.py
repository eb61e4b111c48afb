"""`keras.applications.mobilenet_v3`: MobileNetV3Small and MobileNetV3Large (Howard et al.,
ICCV 2019).

Inverted residual blocks as in MobileNetV2, with squeeze-and-excitation gated by a hard
sigmoid and hard-swish activations (ReLU, 3x3 kernels and no squeeze-and-excitation in the
"minimalistic" variants). The model rescales pixels in [0, 255] itself
(`include_preprocessing=True`), so `preprocess_input` returns its input. Layer names, order
and weight shapes are Keras', so Keras' ImageNet files load.

Example:
    >>> model = MobileNetV3Small(input_shape=(64, 64, 3), include_top=False, weights=None,
    ...                          pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 576), 939120)
"""
from __future__ import annotations

import warnings
from collections.abc import Callable

from lamina import backend, layers
from lamina.applications import building, imagenet_utils
from lamina.applications.building import make_divisible as _depth
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional
from lamina.ops.keras_tensor import KerasTensor

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# Keras' MD5 of each model's files: (with the classifier, without it).
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}
# Blocks 0.. of each model: (expansion, filters, kernel size, stride, squeeze-and-excite,
# activation); kernel None is the model's kernel (5, or 3 when minimalistic), True / "act"
# the model's squeeze-and-excitation and activation (none and ReLU when minimalistic).
_SMALL = ((1, 16, 3, 2, True, "relu"), (72.0 / 16, 24, 3, 2, False, "relu"),
          (88.0 / 24, 24, 3, 1, False, "relu"), (4, 40, None, 2, True, "act"),
          (6, 40, None, 1, True, "act"), (6, 40, None, 1, True, "act"),
          (3, 48, None, 1, True, "act"), (3, 48, None, 1, True, "act"),
          (6, 96, None, 2, True, "act"), (6, 96, None, 1, True, "act"),
          (6, 96, None, 1, True, "act"))
_LARGE = ((1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
          (3, 24, 3, 1, False, "relu"), (3, 40, None, 2, True, "relu"),
          (3, 40, None, 1, True, "relu"), (3, 40, None, 1, True, "relu"),
          (6, 80, 3, 2, False, "act"), (2.5, 80, 3, 1, False, "act"),
          (2.3, 80, 3, 1, False, "act"), (2.3, 80, 3, 1, False, "act"),
          (6, 112, 3, 1, True, "act"), (6, 112, 3, 1, True, "act"),
          (6, 160, None, 2, True, "act"), (6, 160, None, 1, True, "act"),
          (6, 160, None, 1, True, "act"))



def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _input_shape(input_shape, input_tensor):
    """Keras' MobileNetV3 reading of `input_shape` and `input_tensor` (it does not go through
    `obtain_input_shape`)."""
    first = backend.image_data_format() == "channels_first"
    if input_tensor is not None and not isinstance(input_tensor, KerasTensor):
        building.image_input(input_tensor, input_shape)  # raises the input_tensor error
    if input_shape is not None and input_tensor is not None:
        given, wanted = (input_tensor.shape[1], input_shape[1]) if first else (
            input_tensor.shape[2], input_shape[1])
        if given != wanted:
            where = "backend.image_data_format()=channels_first, input_shape[1] must equal " \
                    "input_tensor.shape[1]" if first else \
                    "input_shape[1] must equal input_tensor.shape[2]"
            raise ValueError(f"When {where}.  Received input_shape={input_shape}, "
                             f"input_tensor.shape={input_tensor.shape}")
    if input_shape is None and input_tensor is not None:
        rows, cols = input_tensor.shape[2:4] if first else input_tensor.shape[1:3]
        input_shape = (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape="
                         f"{input_shape}`")
    return input_shape, rows, cols


def MobileNetV3(stack_fn: Callable, last_point_ch: int, input_shape=None, alpha: float = 1.0,
                model_type: str = "large", minimalistic: bool = False,
                include_top: bool = True, weights="imagenet", input_tensor=None,
                classes: int = 1000, pooling: str | None = None, dropout_rate: float = 0.2,
                classifier_activation="softmax", include_preprocessing: bool = True,
                name: str | None = None) -> Functional:
    """A MobileNetV3 around `stack_fn(x, kernel, activation, se_ratio)`, which builds the
    inverted residual blocks; `last_point_ch` is the width of the classifier's hidden 1x1
    convolution. Other arguments as for `MobileNetV3Small`."""
    building.check_weights(weights, include_top, classes)
    input_shape, rows, cols = _input_shape(input_shape, input_tensor)
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, "
                             "`1.0` for non minimalistic or `1.0` for minimalistic only.")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                          "Weights for input shape (224, 224) will be loaded as the default.",
                          stacklevel=3)
    img_input = building.image_input(input_tensor, input_shape)
    axis = building.channel_axis(-1)
    kernel, activation, se_ratio = (3, relu, None) if minimalistic else (5, hard_swish, 0.25)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name="conv_bn")(x)
    x = activation(x)
    x = stack_fn(x, kernel, activation, se_ratio)
    last_conv_ch = _depth(x.shape[axis] * 6, 8)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha, 8)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name="conv_1_bn")(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = building.top(x, include_top=False, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, weights=weights)
    model = building.functional(img_input, input_tensor, x, name)
    fname = origin = file_hash = None
    model_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    if model_name in WEIGHTS_HASHES:
        fname = (f"weights_mobilenet_v3_{model_name}.h5" if include_top
                 else f"weights_mobilenet_v3_{model_name}_no_top_v2.h5")
        origin = BASE_WEIGHT_PATH + fname
        file_hash = WEIGHTS_HASHES[model_name][0 if include_top else 1]
    building.load_weights(model, weights, f"MobileNetV3{model_type.capitalize()}", fname,
                          origin, file_hash)
    return model


def _se_block(inputs, filters: int, se_ratio: float, prefix: str):
    x = layers.GlobalAveragePooling2D(keepdims=True,
                                      name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio, 8), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion: float, filters: int, kernel_size: int, stride: int,
                        se_ratio, activation: Callable, block_id: int):
    axis = building.channel_axis(-1)
    shortcut = x
    prefix = "expanded_conv_"
    infilters = x.shape[axis]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(_depth(infilters * expansion, 8), kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                      name=f"{prefix}expand_bn")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}depthwise_bn")(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion, 8), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}project_bn")(x)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _stack_fn(blocks: tuple, alpha: float) -> Callable:
    def stack_fn(x, kernel, activation, se_ratio):
        for block_id, (expansion, filters, size, stride, squeeze, act) in enumerate(blocks):
            x = _inverted_res_block(x, expansion, _depth(filters * alpha, 8), size or kernel,
                                    stride, se_ratio if squeeze else None,
                                    relu if act == "relu" else activation, block_id)
        return x

    return stack_fn


def MobileNetV3Small(input_shape=None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights="imagenet", input_tensor=None,
                     classes: int = 1000, pooling: str | None = None,
                     dropout_rate: float = 0.2, classifier_activation="softmax",
                     include_preprocessing: bool = True,
                     name: str = "MobileNetV3Small") -> Functional:
    return MobileNetV3(_stack_fn(_SMALL, alpha), 1024, input_shape, alpha, "small",
                       minimalistic, include_top, weights, input_tensor, classes, pooling,
                       dropout_rate, classifier_activation, include_preprocessing, name=name)


def MobileNetV3Large(input_shape=None, alpha: float = 1.0, minimalistic: bool = False,
                     include_top: bool = True, weights="imagenet", input_tensor=None,
                     classes: int = 1000, pooling: str | None = None,
                     dropout_rate: float = 0.2, classifier_activation="softmax",
                     include_preprocessing: bool = True,
                     name: str = "MobileNetV3Large") -> Functional:
    return MobileNetV3(_stack_fn(_LARGE, alpha), 1280, input_shape, alpha, "large",
                       minimalistic, include_top, weights, input_tensor, classes, pooling,
                       dropout_rate, classifier_activation, include_preprocessing, name=name)


_DOC = """Instantiates {builder}, with Keras' layer names and weight layout.

    The model takes pixels in [0, 255] (it rescales them to [-1, 1] itself unless
    `include_preprocessing=False`; `mobilenet_v3.preprocess_input` returns its input).
    ImageNet weights were trained at 224x224.

    Args:
        input_shape: the shape of one image; default (None, None, 3), at least 32x32.
        alpha: width multiplier; ImageNet weights exist for 0.75 and 1.0 (1.0 only when
            minimalistic).
        minimalistic: ReLU and 3x3 kernels everywhere, no squeeze-and-excitation.
        include_top: whether to include the classifier at the top.
        weights: None (random initialization), "imagenet" (Keras' ImageNet weights,
            downloaded once), or the path of a weights file (`.h5` or `.weights.h5`).
        input_tensor: optional Keras tensor (e.g. `keras.Input(...)`'s output) to use as input.
        classes: number of classes, only without ImageNet weights on the classifier.
        pooling: with `include_top=False`: None (4D output), "avg" or "max" (2D output).
        dropout_rate: the dropout rate before the classifier's last convolution.
        classifier_activation: the top layer's activation; None gives logits. With pretrained
            weights only None or "softmax".
        include_preprocessing: whether the model rescales [0, 255] pixels to [-1, 1] first.
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `alpha`, `input_shape`, `input_tensor`, `classes` or
            activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """
for _builder in (MobileNetV3Small, MobileNetV3Large):
    _builder.__doc__ = _DOC.format(builder=_builder.__name__)
preprocess_input = building.passthrough_preprocess_input
