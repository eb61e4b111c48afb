"""`keras.applications.resnet`: ResNet50, ResNet101 and ResNet152 (He et al., CVPR 2015).

One builder, `ResNet`, takes the stack of bottleneck residual blocks; the three models differ
only in how many blocks each of the four stages has. Layer names, order and weight shapes are
Keras' (`conv2_block1_1_conv`, ...), so Keras' ImageNet files load.

Example:
    >>> model = ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
    >>> model.output_shape, len(model.layers)
    ((None, 1, 1, 2048), 175)
"""
from __future__ import annotations

from collections.abc import Callable

from lamina import layers
from lamina.applications import building, imagenet_utils
from lamina.models import Functional

__all__ = ["ResNet", "ResNet50", "ResNet101", "ResNet152", "decode_predictions",
           "preprocess_input", "residual_block_v1", "residual_block_v2",
           "stack_residual_blocks_v1", "stack_residual_blocks_v2"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# Keras' MD5 of each model's files: (with the classifier, without it).
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
# Blocks per stage (conv2 .. conv5).
_STAGE_BLOCKS = {"resnet50": (3, 4, 6, 3), "resnet101": (3, 4, 23, 3),
                 "resnet152": (3, 8, 36, 3)}
_BUILDERS = {"resnet50": "ResNet50", "resnet101": "ResNet101", "resnet152": "ResNet152",
             "resnet50v2": "ResNet50V2", "resnet101v2": "ResNet101V2",
             "resnet152v2": "ResNet152V2"}
_EPSILON = 1.001e-5



def ResNet(stack_fn: Callable, preact: bool = False, use_bias: bool = True,
           include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
           name: str = "resnet", weights_name: str | None = None) -> Functional:
    """A ResNet around `stack_fn`, which maps the stem's output to the last stage's.

    Args:
        stack_fn: builds the residual stages on a Keras tensor and returns their output.
        preact: pre-activation (ResNetV2): no BatchNormalization and ReLU after the stem's
            convolution, one after the last stage instead ("post_bn", "post_relu").
        use_bias: whether the stem's convolution has a bias.
        weights_name: the key of `WEIGHTS_HASHES` whose ImageNet files `weights="imagenet"`
            loads.
        Others: as for `ResNet50`.

    Returns:
        The model.
    """
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=224, min_size=32)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=building.channel_axis(3), epsilon=_EPSILON,
                                      name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=building.channel_axis(3), epsilon=_EPSILON,
                                      name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = building.top(x, include_top=include_top, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, weights=weights)
    model = building.functional(img_input, input_tensor, x, name)
    fname = origin = file_hash = None
    if weights_name in WEIGHTS_HASHES:
        suffix = "" if include_top else "_notop"
        fname = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        origin = BASE_WEIGHTS_PATH + fname
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    building.load_weights(model, weights, _BUILDERS.get(weights_name, name), fname, origin,
                          file_hash)
    return model


def residual_block_v1(x, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = True, name: str | None = None):
    """A bottleneck block: 1x1 (`filters`), `kernel_size` (`filters`), 1x1 (4 * `filters`),
    added to the shortcut (a strided 1x1 convolution, or the input itself)."""
    bn_axis = building.channel_axis(3)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON,
                                             name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters: int, blocks: int, stride1: int = 2,
                             name: str | None = None):
    """`blocks` residual blocks; the first has the convolution shortcut and stride `stride1`."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for index in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{index}")
    return x


def residual_block_v2(x, filters: int, kernel_size: int = 3, stride: int = 1,
                      conv_shortcut: bool = False, name: str | None = None):
    """A pre-activation bottleneck block (ResNetV2): BatchNormalization and ReLU first, then
    1x1 (`filters`), strided `kernel_size` (`filters`), 1x1 (4 * `filters`), added to the
    shortcut (a 1x1 convolution of the pre-activation, a strided 1x1 max pooling, or `x`)."""
    bn_axis = building.channel_axis(3)
    preact = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON,
                                       name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters: int, blocks: int, stride1: int = 2,
                             name: str | None = None):
    """`blocks` pre-activation blocks; the first has the convolution shortcut, the last the
    stride `stride1` (ResNetV2 downsamples at the end of a stage)."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for index in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{index}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _resnet(weights_name: str, include_top, weights, input_tensor, input_shape, pooling,
            classes, classifier_activation, name) -> Functional:
    def stack_fn(x):
        for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512),
                                                      _STAGE_BLOCKS[weights_name])):
            x = stack_residual_blocks_v1(x, filters, blocks, stride1=1 if stage == 0 else 2,
                                         name=f"conv{stage + 2}")
        return x

    return ResNet(stack_fn, False, True, include_top, weights, input_tensor, input_shape,
                  pooling, classes, classifier_activation, name, weights_name)


_DOC = """Instantiates {builder}, with Keras' layer names and weight layout.

    The default input is 224x224 RGB; call `resnet.preprocess_input` on images in [0, 255]
    first (RGB -> BGR, ImageNet mean subtracted, no scaling).

    Args:
        include_top: whether to include the fully-connected layer at the top.
        weights: None (random initialization), "imagenet" (Keras' ImageNet weights,
            downloaded once), or the path of a weights file (`.h5` or `.weights.h5`).
        input_tensor: optional Keras tensor (e.g. `keras.Input(...)`'s output) to use as input.
        input_shape: the shape of one image, only with `include_top=False` (otherwise it must
            be (224, 224, 3)); at least 32x32, 3 channels for ImageNet weights.
        pooling: with `include_top=False`: None (4D output of the last block), "avg" or "max"
            (global pooling to a 2D output).
        classes: number of classes, only without ImageNet weights on the classifier.
        classifier_activation: the top layer's activation; None gives logits. With pretrained
            weights only None or "softmax".
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """


def ResNet50(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
             name: str = "resnet50") -> Functional:
    return _resnet("resnet50", include_top, weights, input_tensor, input_shape, pooling,
                   classes, classifier_activation, name)


def ResNet101(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
              name: str = "resnet101") -> Functional:
    return _resnet("resnet101", include_top, weights, input_tensor, input_shape, pooling,
                   classes, classifier_activation, name)


def ResNet152(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
              name: str = "resnet152") -> Functional:
    return _resnet("resnet152", include_top, weights, input_tensor, input_shape, pooling,
                   classes, classifier_activation, name)


for _builder in (ResNet50, ResNet101, ResNet152):
    _builder.__doc__ = _DOC.format(builder=_builder.__name__)


def preprocess_input(x, data_format: str | None = None):
    """ResNet's preprocessing: RGB -> BGR, then ImageNet's mean pixel subtracted ("caffe").

    See `imagenet_utils.preprocess_input` for the arguments.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5) -> list:
    """The top classes of ImageNet predictions; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
