"""`keras.applications.efficientnet_v2`: EfficientNetV2B0 to B3, S, M and L (Tan & Le, ICML
2021).

Early stages of fused inverted residual blocks (one regular convolution in place of the 1x1
expansion and the depthwise convolution), later stages of EfficientNet's blocks with
squeeze-and-excitation (`efficientnet.squeeze_excite`). The model rescales pixels in [0, 255]
itself (`include_preprocessing=True`), so `preprocess_input` returns its input. Layer names,
order and weight shapes are Keras', so Keras' ImageNet files load.

Example:
    >>> model = EfficientNetV2B0(include_top=False, weights=None, input_shape=(64, 64, 3),
    ...                          pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1280), 5919312)
"""
from __future__ import annotations

import math
from collections.abc import Callable

from lamina import backend, initializers, layers
from lamina.applications import building, imagenet_utils
from lamina.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    DENSE_KERNEL_INITIALIZER,
    squeeze_excite,
)
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional

__all__ = ["EfficientNetV2", "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
           "EfficientNetV2B3", "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
           "FusedMBConvBlock", "MBConvBlock", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                     "efficientnet_v2/")
# Keras' MD5 of each variant's files: (with the classifier, without it).
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
         "se_ratio", "strides", "conv_type")
_B_STAGES = ((3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
             (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
             (3, 8, 112, 192, 6, 0.25, 2, 0))
# Each model's stages, as `_KEYS` (conv_type 1: fused blocks, 0: EfficientNet's blocks).
DEFAULT_BLOCKS_ARGS = {name: [dict(zip(_KEYS, stage)) for stage in stages] for name, stages in {
    "efficientnetv2-s": ((3, 2, 24, 24, 1, 0.0, 1, 1), (3, 4, 24, 48, 4, 0.0, 2, 1),
                         (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
                         (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0)),
    "efficientnetv2-m": ((3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
                         (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
                         (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
                         (3, 5, 304, 512, 6, 0.25, 1, 0)),
    "efficientnetv2-l": ((3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
                         (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
                         (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
                         (3, 7, 384, 640, 6, 0.25, 1, 0)),
    "efficientnetv2-b0": _B_STAGES, "efficientnetv2-b1": _B_STAGES,
    "efficientnetv2-b2": _B_STAGES, "efficientnetv2-b3": _B_STAGES}.items()}
# (width, depth, default size) by weights name.
_VARIANTS = {"b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260),
             "b3": (1.2, 1.4, 300), "-s": (1.0, 1.0, 384), "-m": (1.0, 1.0, 480),
             "-l": (1.0, 1.0, 480)}



def round_filters(filters: float, width_coefficient: float, min_depth: int | None,
                  depth_divisor: int) -> int:
    """`filters` scaled by `width_coefficient`, rounded to a multiple of `depth_divisor`."""
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    return int(max(minimum_depth,
                   int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """`repeats` scaled by `depth_coefficient`, rounded up."""
    return math.ceil(depth_coefficient * repeats)


def _project_and_skip(x, inputs, input_filters: int, output_filters: int, kernel_size: int,
                      strides: int, bn_momentum: float, survival_probability: float, name: str,
                      activation=None, project_strides: int = 1):
    x = layers.Conv2D(output_filters, kernel_size=kernel_size, strides=project_strides,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=False, name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=building.channel_axis(3), momentum=bn_momentum,
                                  name=f"{name}project_bn")(x)
    if activation is not None:
        x = layers.Activation(activation=activation, name=f"{name}project_activation")(x)
    if strides == 1 and input_filters == output_filters:
        if survival_probability:
            # Keras' rate is the "survival probability" it computes: kept for its weights.
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                               name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def _expand(inputs, filters: int, kernel_size: int, strides: int, bn_momentum: float,
            activation, name: str):
    x = layers.Conv2D(filters, kernel_size=kernel_size, strides=strides,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=False, name=f"{name}expand_conv")(inputs)
    x = layers.BatchNormalization(axis=building.channel_axis(3), momentum=bn_momentum,
                                  name=f"{name}expand_bn")(x)
    return layers.Activation(activation, name=f"{name}expand_activation")(x)


def MBConvBlock(input_filters: int, output_filters: int, expand_ratio: int = 1,
                kernel_size: int = 3, strides: int = 1, se_ratio: float = 0.0,
                bn_momentum: float = 0.9, activation="swish",
                survival_probability: float = 0.8, name: str | None = None) -> Callable:
    """EfficientNet's inverted residual block, as a function of its input tensor."""
    name = name if name is not None else backend.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _expand(x, filters, 1, 1, bn_momentum, activation, name)
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides,
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   padding="same", use_bias=False, name=f"{name}dwconv2")(x)
        x = layers.BatchNormalization(axis=building.channel_axis(3), momentum=bn_momentum,
                                      name=f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, filters, max(1, int(input_filters * se_ratio)), activation,
                               name)
        return _project_and_skip(x, inputs, input_filters, output_filters, 1, strides,
                                 bn_momentum, survival_probability, name)

    return apply


def FusedMBConvBlock(input_filters: int, output_filters: int, expand_ratio: int = 1,
                     kernel_size: int = 3, strides: int = 1, se_ratio: float = 0.0,
                     bn_momentum: float = 0.9, activation="swish",
                     survival_probability: float = 0.8, name: str | None = None) -> Callable:
    """The fused block: a strided `kernel_size` expansion convolution, then the 1x1
    projection (without expansion, the projection is the strided `kernel_size`
    convolution, with an activation)."""
    name = name if name is not None else backend.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _expand(x, filters, kernel_size, strides, bn_momentum, activation, name)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, filters, max(1, int(input_filters * se_ratio)), activation,
                               name)
        fused = expand_ratio == 1
        return _project_and_skip(x, inputs, input_filters, output_filters,
                                 kernel_size if fused else 1, strides, bn_momentum,
                                 survival_probability, name,
                                 activation=activation if fused else None,
                                 project_strides=strides if fused else 1)

    return apply


def EfficientNetV2(width_coefficient: float, depth_coefficient: float, default_size: int,
                   dropout_rate: float = 0.2, drop_connect_rate: float = 0.2,
                   depth_divisor: int = 8, min_depth: int = 8, bn_momentum: float = 0.9,
                   activation="swish", blocks_args="default", name: str = "efficientnetv2",
                   include_top: bool = True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling: str | None = None, classes: int = 1000,
                   classifier_activation="softmax", include_preprocessing: bool = True,
                   weights_name: str | None = None) -> Functional:
    """An EfficientNetV2 of `blocks_args` stages ("default": `DEFAULT_BLOCKS_ARGS[name]`)
    scaled by the coefficients; other arguments as for `EfficientNetV2B0`.

    Raises:
        ValueError: invalid arguments (see `EfficientNetV2B0`), or a stage of 0 repeats.
    """
    blocks_args = DEFAULT_BLOCKS_ARGS[name] if blocks_args == "default" else blocks_args
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=default_size, min_size=32)
    bn_axis = building.channel_axis(3)
    x = img_input
    if include_preprocessing:
        num_channels = x.shape[bn_axis]
        if name.split("-")[-1].startswith("b") and num_channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229**2, 0.224**2, 0.225**2], axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    def filters(count: float) -> int:
        return round_filters(count, width_coefficient, min_depth, depth_divisor)

    x = layers.Conv2D(filters(blocks_args[0]["input_filters"]), kernel_size=3, strides=2,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    total = float(sum(args["num_repeat"] for args in blocks_args))
    index = 0
    for stage, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError(f"The number of repeats in `EfficientNetV2` must be > 0. "
                             f"Received: num_repeat={args['num_repeat']}")
        args = dict(args, input_filters=filters(args["input_filters"]),
                    output_filters=filters(args["output_filters"]))
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        for repeat in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if repeat > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * index / total,
                      name=f"block{stage + 1}{chr(repeat + 97)}_", **args)(x)
            index += 1
    x = layers.Conv2D(filters(1280), kernel_size=1, strides=1,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
    else:
        x = building.top(x, include_top=False, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, weights=weights)
    model = building.functional(img_input, input_tensor, x, name)
    fname = origin = file_hash = None
    if weights_name in WEIGHTS_HASHES:
        fname = name + (".h5" if include_top else "_notop.h5")
        origin = BASE_WEIGHTS_PATH + fname
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    builder = f"EfficientNetV2{(weights_name or '').lstrip('-').upper()}"
    building.load_weights(model, weights, builder, fname, origin, file_hash)
    return model


_DOC = """Instantiates {builder}, with Keras' layer names and weight layout.

    The model takes pixels in [0, 255] (it rescales them itself unless
    `include_preprocessing=False`; `efficientnet_v2.preprocess_input` returns its input).
    ImageNet weights were trained at {size}x{size}.

    Args:
        {args}
        include_preprocessing: whether the model rescales [0, 255] pixels itself.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """


def _variant(key: str, builder_name: str) -> Callable:
    width, depth, size = _VARIANTS[key]
    model_name = f"efficientnetv2-{key.lstrip('-')}"

    def builder(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", include_preprocessing: bool = True,
                name: str = model_name) -> Functional:
        # The stages are the variant's whatever the model's name (Keras looks them up by
        # the name, so that a custom name fails there).
        return EfficientNetV2(width, depth, size, name=name, include_top=include_top,
                              weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing,
                              blocks_args=DEFAULT_BLOCKS_ARGS[model_name], weights_name=key)

    builder.__name__ = builder.__qualname__ = builder_name
    builder.__doc__ = _DOC.format(builder=builder_name, size=size,
                                  args=building.ARGS_DOC.format(default_size=size, min_size=32))
    return builder


EfficientNetV2B0 = _variant("b0", "EfficientNetV2B0")
EfficientNetV2B1 = _variant("b1", "EfficientNetV2B1")
EfficientNetV2B2 = _variant("b2", "EfficientNetV2B2")
EfficientNetV2B3 = _variant("b3", "EfficientNetV2B3")
EfficientNetV2S = _variant("-s", "EfficientNetV2S")
EfficientNetV2M = _variant("-m", "EfficientNetV2M")
EfficientNetV2L = _variant("-l", "EfficientNetV2L")
preprocess_input = building.passthrough_preprocess_input
