"""`keras.applications.nasnet`: NASNetMobile and NASNetLarge (Zoph et al., CVPR 2018).

NASNet-A: a strided stem convolution, two reduction cells, then three groups of
`num_blocks` normal cells with a reduction cell between groups, each group twice as wide
as the one before. Every cell takes the two previous cells' outputs (`x` and `p`), first
brings `p` to `x`'s size and width (the "adjust" block), and concatenates the sums of its
branches: separable convolution blocks (ReLU, separable convolution, BatchNormalization,
twice) and poolings. As in Keras, the layers are built in Keras' `name_scope`s, so their
weights have Keras' paths (`normal_A_block_0/block_1/separable_conv_block_normal_left1_0/
...`), and the layers Keras leaves unnamed keep the automatic names, so that Keras' legacy
`.h5` files (matched by layer order) load. Keras refuses NASNetMobile on its torch backend
(an outstanding bug there); lamina builds it, with the predictions of Keras' JAX backend.

Example:
    >>> model = NASNetMobile(include_top=False, weights=None, input_shape=(32, 32, 3),
    ...                      pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1056), 4269716)
"""
from __future__ import annotations

from lamina import backend, layers
from lamina.applications import building, imagenet_utils
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional
from lamina.utils.scopes import name_scope

__all__ = ["NASNet", "NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# By default size (224: mobile, 331: large) and with the classifier: Keras' name of the
# file in its cache, its name under BASE_WEIGHTS_PATH, and its MD5.
WEIGHTS_FILES = {
    (224, True): ("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
    (224, False): ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5",
                   "1ed92395b5b598bdda52abe5c0dbfd63"),
    (331, True): ("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
    (331, False): ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5",
                   "d81d89dc07e6e56530c4e77faddd61b5"),
}
_BUILDERS = {224: "NASNetMobile", 331: "NASNetLarge"}


def _batch_norm(x, name: str):
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)(x)


def _relu_conv_bn(x, filters: int, conv_name: str, bn_name: str):
    """ReLU, a 1x1 convolution without bias, BatchNormalization."""
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=conv_name,
                      kernel_initializer="he_normal")(x)
    return _batch_norm(x, bn_name)


def _separable_conv_block(x, filters: int, kernel_size: int = 3, strides: int = 1,
                          block_id: str = ""):
    """ReLU, separable convolution, BatchNormalization, twice; the first convolution strided
    by `strides` (after TensorFlow's 'same' padding when 2)."""
    with name_scope(f"separable_conv_block_{block_id}"):
        x = layers.Activation("relu")(x)
        padding = "same"
        if strides == 2:
            x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                     name=f"separable_conv_1_pad_{block_id}")(x)
            padding = "valid"
        x = layers.SeparableConv2D(filters, kernel_size, strides=strides, padding=padding,
                                   use_bias=False, name=f"separable_conv_1_{block_id}")(x)
        x = _batch_norm(x, f"separable_conv_1_bn_{block_id}")
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, kernel_size, padding="same", use_bias=False,
                                   name=f"separable_conv_2_{block_id}")(x)
        return _batch_norm(x, f"separable_conv_2_bn_{block_id}")


def _adjust_block(p, ip, filters: int, block_id: str):
    """The previous path `p` brought to the width and `filters` of the input `ip` (`ip`
    itself in the first cell)."""
    if p is None:
        return ip
    with name_scope("adjust_block"):
        # Keras compares the widths, which are None for inputs of unknown size.
        if p.shape[-2] != ip.shape[-2]:
            with name_scope(f"adjust_reduction_block_{block_id}"):
                p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
                p1 = layers.AveragePooling2D(1, strides=2, padding="valid",
                                             name=f"adjust_avg_pool_1_{block_id}")(p)
                p1 = layers.Conv2D(filters // 2, 1, padding="same", use_bias=False,
                                   name=f"adjust_conv_1_{block_id}",
                                   kernel_initializer="he_normal")(p1)
                # The same pooling, shifted by one pixel.
                p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
                p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
                p2 = layers.AveragePooling2D(1, strides=2, padding="valid",
                                             name=f"adjust_avg_pool_2_{block_id}")(p2)
                p2 = layers.Conv2D(filters // 2, 1, padding="same", use_bias=False,
                                   name=f"adjust_conv_2_{block_id}",
                                   kernel_initializer="he_normal")(p2)
                p = layers.concatenate([p1, p2], axis=-1)
                return _batch_norm(p, f"adjust_bn_{block_id}")
        if p.shape[-1] != filters:
            with name_scope(f"adjust_projection_block_{block_id}"):
                return _relu_conv_bn(p, filters, f"adjust_conv_projection_{block_id}",
                                     f"adjust_bn_{block_id}")
    return p


def _normal_a_cell(ip, p, filters: int, block_id: str):
    """NASNet-A's normal cell (Fig. 4 of the paper): `(output, ip)`, the inputs of the next
    cell. The poolings have no weights, so they need none of Keras' name scopes."""
    with name_scope(f"normal_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _relu_conv_bn(ip, filters, f"normal_conv_1_{block_id}", f"normal_bn_1_{block_id}")
        with name_scope("block_1"):
            x1 = layers.add([
                _separable_conv_block(h, filters, 5, block_id=f"normal_left1_{block_id}"),
                _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}"),
            ], name=f"normal_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = layers.add([
                _separable_conv_block(p, filters, 5, block_id=f"normal_left2_{block_id}"),
                _separable_conv_block(p, filters, 3, block_id=f"normal_right2_{block_id}"),
            ], name=f"normal_add_2_{block_id}")
        x3 = layers.AveragePooling2D(3, strides=1, padding="same",
                                     name=f"normal_left3_{block_id}")(h)
        x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
        x4 = layers.add([
            layers.AveragePooling2D(3, strides=1, padding="same",
                                    name=f"normal_left4_{block_id}")(p),
            layers.AveragePooling2D(3, strides=1, padding="same",
                                    name=f"normal_right4_{block_id}")(p),
        ], name=f"normal_add_4_{block_id}")
        with name_scope("block_5"):
            x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
            x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
        x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1,
                               name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters: int, block_id: str):
    """NASNet-A's reduction cell (Fig. 4 of the paper), halving height and width:
    `(output, ip)`. Keras' names skip the "_" in three of them (`reduction_add3_...`)."""
    with name_scope(f"reduction_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _relu_conv_bn(ip, filters, f"reduction_conv_1_{block_id}",
                          f"reduction_bn_1_{block_id}")
        h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                                  name=f"reduction_pad_1_{block_id}")(h)
        with name_scope("block_1"):
            x1 = layers.add([
                _separable_conv_block(h, filters, 5, 2, f"reduction_left1_{block_id}"),
                _separable_conv_block(p, filters, 7, 2, f"reduction_right1_{block_id}"),
            ], name=f"reduction_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = layers.add([
                layers.MaxPooling2D(3, strides=2, padding="valid",
                                    name=f"reduction_left2_{block_id}")(h3),
                _separable_conv_block(p, filters, 7, 2, f"reduction_right2_{block_id}"),
            ], name=f"reduction_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = layers.add([
                layers.AveragePooling2D(3, strides=2, padding="valid",
                                        name=f"reduction_left3_{block_id}")(h3),
                _separable_conv_block(p, filters, 5, 2, f"reduction_right3_{block_id}"),
            ], name=f"reduction_add3_{block_id}")
        x4 = layers.AveragePooling2D(3, strides=1, padding="same",
                                     name=f"reduction_left4_{block_id}")(x1)
        x4 = layers.add([x2, x4])
        with name_scope("block_5"):
            x5 = layers.add([
                _separable_conv_block(x1, filters, 3, block_id=f"reduction_left4_{block_id}"),
                layers.MaxPooling2D(3, strides=2, padding="valid",
                                    name=f"reduction_right5_{block_id}")(h3),
            ], name=f"reduction_add4_{block_id}")
        x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def NASNet(input_shape=None, penultimate_filters: int = 4032, num_blocks: int = 6,
           stem_block_filters: int = 96, skip_reduction: bool = True,
           filter_multiplier: int = 2, include_top: bool = True, weights="imagenet",
           input_tensor=None, pooling: str | None = None, classes: int = 1000,
           default_size: int | None = None, classifier_activation="softmax",
           name: str = "NASNet") -> Functional:
    """A NASNet-A (N @ P): N = `num_blocks` normal cells per group, P =
    `penultimate_filters` channels in the last group; other arguments as for `NASNetLarge`.

    Args:
        penultimate_filters: the width of the last group's cells, a multiple of
            24 * `filter_multiplier` ** 2.
        num_blocks: the normal cells in each of the three groups.
        stem_block_filters: the stem convolution's filters.
        skip_reduction: whether the cells after a reduction cell take, as their previous
            path, the output of the cell before it (True) or the reduction cell's input.
        filter_multiplier: how much wider each group is than the one before.
        default_size: the default input size, 331 when None; ImageNet weights exist for 224
            (NASNetMobile) and 331 (NASNetLarge).

    Raises:
        ValueError: the `channels_first` image data format, an ImageNet `input_shape` with
            None entries, a `penultimate_filters` that is no such multiple, ImageNet weights
            for another `default_size`, or invalid arguments (see `NASNetLarge`).
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError("NASNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    building.check_weights(weights, include_top, classes)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(f"When specifying the input shape of a NASNet and loading `ImageNet` "
                         f"weights, the input_shape argument must be static (no None "
                         f"entries). Got: `input_shape={input_shape}`.")
    default_size = 331 if default_size is None else default_size
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = building.image_input(input_tensor, input_shape)
    if penultimate_filters % (24 * filter_multiplier ** 2) != 0:
        raise ValueError(f"For NASNet-A models, the `penultimate_filters` must be a multiple "
                         f"of 24 * (`filter_multiplier` ** 2). Current value: "
                         f"{penultimate_filters}")
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_block_filters, 3, strides=2, padding="valid", use_bias=False,
                      name="stem_conv1", kernel_initializer="he_normal")(img_input)
    x = _batch_norm(x, "stem_bn1")
    x, p = _reduction_a_cell(x, None, filters // filter_multiplier ** 2, "stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, "stem_2")
    # Three groups of normal cells (ids 0..N-1, N+1..2N, 2N+1..3N), the second and the
    # third after a reduction cell (ids reduce_N, reduce_2N).
    for group in range(3):
        width = filters * filter_multiplier ** group
        first_id = group * num_blocks
        if group > 0:
            x, reduction_input = _reduction_a_cell(x, p, width, f"reduce_{first_id}")
            p = p if skip_reduction else reduction_input
            first_id += 1
        for index in range(num_blocks):
            x, p = _normal_a_cell(x, p, width, f"{first_id + index}")
    x = layers.Activation("relu")(x)
    x = building.top(x, include_top=include_top, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, weights=weights,
                     pool_names=(None, None), classifier_pool_name=None)
    model = building.functional(img_input, input_tensor, x, name)
    fname = origin = file_hash = None
    if weights == "imagenet":
        if default_size not in _BUILDERS:
            raise ValueError("ImageNet weights can only be loaded with NASNetLarge or "
                             "NASNetMobile")
        fname, remote_name, file_hash = WEIGHTS_FILES[(default_size, bool(include_top))]
        origin = BASE_WEIGHTS_PATH + remote_name
    building.load_weights(model, weights, _BUILDERS.get(default_size, "NASNet"), fname, origin,
                          file_hash)
    return model


def NASNetMobile(input_shape=None, include_top: bool = True, weights="imagenet",
                 input_tensor=None, pooling: str | None = None, classes: int = 1000,
                 classifier_activation="softmax", name: str = "nasnet_mobile") -> Functional:
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=224, classifier_activation=classifier_activation, name=name)


def NASNetLarge(input_shape=None, include_top: bool = True, weights="imagenet",
                input_tensor=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "nasnet_large") -> Functional:
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=331, classifier_activation=classifier_activation, name=name)


_DOC = """Instantiates {builder} (NASNet-A {cells}), with Keras' layer names and weight layout.

    The first positional argument is `input_shape`, as in Keras.
    {size_note}
    Call `nasnet.preprocess_input` on images in [0, 255] first (scales to [-1, 1]). Only the
    `channels_last` image data format.

    Args:
        {args}

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation,
            or the `channels_first` image data format.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """
NASNetMobile.__doc__ = _DOC.format(
    builder="NASNetMobile", cells="4 @ 1056",
    size_note="The default input is 224x224 RGB, with or without the classifier.",
    args=building.ARGS_DOC.format(default_size=224, min_size=32))
NASNetLarge.__doc__ = _DOC.format(
    builder="NASNetLarge", cells="6 @ 4032",
    size_note="The default input is 331x331 RGB with the classifier; without it, give\n"
              "    `input_shape`: as in Keras, there is no default then, and a model of unknown\n"
              "    size builds cells that cannot run.",
    args=building.ARGS_DOC.format(default_size=331, min_size=32))
preprocess_input = building.preprocess_input_for("tf", "NASNet")
