"""`keras.applications.efficientnet`: EfficientNetB0 to B7 (Tan & Le, ICML 2019).

One builder, `EfficientNet`, scales the B0 network's width, depth and input size by the
coefficients of each variant. Blocks are inverted residuals with squeeze-and-excitation and
stochastic depth (`drop_connect_rate`). Pixels in [0, 255] go in as they are: the model
rescales and normalizes them itself, so `preprocess_input` returns its input. Layer names,
order and weight shapes are Keras' (`block1a_dwconv`, ...), so Keras' ImageNet files load.

Example:
    >>> model = EfficientNetB0(include_top=False, weights=None, input_shape=(64, 64, 3),
    ...                        pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1280), 4049571)
"""
from __future__ import annotations

import math
from collections.abc import Callable

from lamina import layers
from lamina.applications import building, imagenet_utils
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional

__all__ = ["EfficientNet", "EfficientNetB0", "EfficientNetB1", "EfficientNetB2",
           "EfficientNetB3", "EfficientNetB4", "EfficientNetB5", "EfficientNetB6",
           "EfficientNetB7", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
# Keras' MD5 of each variant's files: (with the classifier, without it).
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# B0's stages: (kernel_size, repeats, filters_in, filters_out, expand_ratio, strides); every
# block skips its input where shapes allow and squeezes to a quarter of its input filters.
DEFAULT_BLOCKS_ARGS = [
    {"kernel_size": k, "repeats": r, "filters_in": i, "filters_out": o, "expand_ratio": e,
     "id_skip": True, "strides": s, "se_ratio": 0.25}
    for k, r, i, o, e, s in ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
                             (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1),
                             (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1))]
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out",
                                      "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                            "config": {"scale": 1.0 / 3.0, "mode": "fan_out",
                                       "distribution": "uniform"}}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]
# (width, depth, default size, dropout) of B0 .. B7.
_VARIANTS = {"b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2),
             "b2": (1.1, 1.2, 260, 0.3), "b3": (1.2, 1.4, 300, 0.3),
             "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
             "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}



def round_filters(filters: float, width_coefficient: float, divisor: int = 8) -> int:
    """`filters` scaled by `width_coefficient`, to a multiple of `divisor`, never more than
    10% below the scaled value."""
    return building.make_divisible(filters * width_coefficient, divisor)


def EfficientNet(width_coefficient: float, depth_coefficient: float, default_size: int,
                 dropout_rate: float = 0.2, drop_connect_rate: float = 0.2,
                 depth_divisor: int = 8, activation="swish", blocks_args="default",
                 name: str = "efficientnet", include_top: bool = True, weights="imagenet",
                 input_tensor=None, input_shape=None, pooling: str | None = None,
                 classes: int = 1000, classifier_activation="softmax",
                 weights_name: str | None = None) -> Functional:
    """An EfficientNet: B0's stages with widths and repeats scaled by the coefficients.

    Args:
        width_coefficient: scales every layer's filters.
        depth_coefficient: scales every stage's number of blocks (rounded up).
        default_size: the input size of the variant's ImageNet weights.
        dropout_rate: the rate of the dropout before the classifier.
        drop_connect_rate: the largest stochastic-depth rate, reached by the last block.
        depth_divisor: filters are multiples of it.
        activation: the activation of the convolutions.
        blocks_args: "default" (B0's stages) or a list of dicts like `DEFAULT_BLOCKS_ARGS`.
        weights_name: the key of `WEIGHTS_HASHES` whose ImageNet files `weights="imagenet"`
            loads.
        Others: as for `EfficientNetB0`.

    Returns:
        The model.

    Raises:
        ValueError: invalid arguments (see `EfficientNetB0`), or a stage of 0 repeats.
    """
    blocks_args = DEFAULT_BLOCKS_ARGS if blocks_args == "default" else blocks_args
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=default_size, min_size=32)
    bn_axis = building.channel_axis(3)
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=bn_axis)(x)
    if weights == "imagenet":
        # Keras' files were trained on (x - mean) / variance; the Normalization layer divides
        # by sqrt(variance), so one more division by sqrt(std) matches (Keras' own fix).
        x = layers.Rescaling([1.0 / math.sqrt(std) for std in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32, width_coefficient, depth_divisor), 3, strides=2,
                      padding="valid", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    x = _stages(x, blocks_args, width_coefficient, depth_coefficient, depth_divisor,
                activation, drop_connect_rate)
    x = layers.Conv2D(round_filters(1280, width_coefficient, depth_divisor), 1, padding="same",
                      use_bias=False, kernel_initializer=CONV_KERNEL_INITIALIZER,
                      name="top_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER, name="predictions")(x)
    else:
        x = building.top(x, include_top=False, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, weights=weights)
    model = building.functional(img_input, input_tensor, x, name)
    fname = origin = file_hash = None
    if weights_name in WEIGHTS_HASHES:
        fname = name + (".h5" if include_top else "_notop.h5")
        origin = BASE_WEIGHTS_PATH + fname
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    builder = f"EfficientNet{weights_name.upper()}" if weights_name else "EfficientNet"
    building.load_weights(model, weights, builder, fname, origin, file_hash)
    return model


def _stages(x, blocks_args, width_coefficient: float, depth_coefficient: float,
            depth_divisor: int, activation, drop_connect_rate: float):
    def round_repeats(repeats: int) -> int:
        return math.ceil(depth_coefficient * repeats)

    total = float(sum(round_repeats(args["repeats"]) for args in blocks_args))
    index = 0
    for stage, args in enumerate(blocks_args):
        if args["repeats"] <= 0:
            raise ValueError(f"The number of repeats in `EfficientNet` must be > 0. Received: "
                             f"repeats={args['repeats']}")
        args = dict(args)
        args["filters_in"] = round_filters(args["filters_in"], width_coefficient, depth_divisor)
        args["filters_out"] = round_filters(args["filters_out"], width_coefficient,
                                            depth_divisor)
        for repeat in range(round_repeats(args.pop("repeats"))):
            if repeat > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(x, activation, drop_connect_rate * index / total,
                      name=f"block{stage + 1}{chr(repeat + 97)}_", **args)
            index += 1
    return x


def squeeze_excite(x, filters: int, filters_se: int, activation, name: str,
                   kernel_initializer=CONV_KERNEL_INITIALIZER):
    """`x` scaled channel by channel by a gate computed from its global average (the
    squeeze-and-excitation of EfficientNet and EfficientNetV2)."""
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se_shape = (filters, 1, 1) if building.channel_axis(3) == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=kernel_initializer, name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=kernel_initializer, name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def block(inputs, activation="swish", drop_rate: float = 0.0, name: str = "",
          filters_in: int = 32, filters_out: int = 16, kernel_size: int = 3, strides: int = 1,
          expand_ratio: int = 1, se_ratio: float = 0.0, id_skip: bool = True):
    """An inverted residual block: 1x1 expansion, depthwise convolution, squeeze-and-excite,
    1x1 projection, and (same shape, `id_skip`) stochastic depth and the skip connection."""
    bn_axis = building.channel_axis(3)
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=CONV_KERNEL_INITIALIZER,
                          name=f"{name}expand_conv")(x)
        x = layers.BatchNormalization(axis=bn_axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                               padding="valid" if strides == 2 else "same", use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), activation, name)
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER,
                      name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


_DOC = """Instantiates {builder}, with Keras' layer names and weight layout.

    The model takes pixels in [0, 255] (it rescales and normalizes them itself;
    `efficientnet.preprocess_input` returns its input). ImageNet weights were trained at
    {size}x{size}.

    Args:
        {args}

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """


def _variant(key: str) -> Callable:
    width, depth, size, dropout = _VARIANTS[key]

    def builder(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax",
                name: str = f"efficientnet{key}") -> Functional:
        return EfficientNet(width, depth, size, dropout, name=name, include_top=include_top,
                            weights=weights, input_tensor=input_tensor,
                            input_shape=input_shape, pooling=pooling, classes=classes,
                            classifier_activation=classifier_activation, weights_name=key)

    builder.__name__ = builder.__qualname__ = f"EfficientNet{key.upper()}"
    builder.__doc__ = _DOC.format(builder=builder.__name__, size=size,
                                  args=building.ARGS_DOC.format(default_size=size, min_size=32))
    return builder


EfficientNetB0 = _variant("b0")
EfficientNetB1 = _variant("b1")
EfficientNetB2 = _variant("b2")
EfficientNetB3 = _variant("b3")
EfficientNetB4 = _variant("b4")
EfficientNetB5 = _variant("b5")
EfficientNetB6 = _variant("b6")
EfficientNetB7 = _variant("b7")
preprocess_input = building.passthrough_preprocess_input
