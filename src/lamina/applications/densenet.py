"""`keras.applications.densenet`: DenseNet121, DenseNet169 and DenseNet201 (Huang et al.,
CVPR 2017).

Four dense blocks, each layer of which concatenates its 32 new channels to everything before
it, with transition blocks (1x1 convolution to half the channels, 2x2 average pooling)
between them. The models differ only in how many layers each dense block has. Layer names,
order and weight shapes are Keras', so Keras' ImageNet files load.

Example:
    >>> model = DenseNet121(include_top=False, weights=None, input_shape=(32, 32, 3),
    ...                     pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1024), 7037504)
"""
from __future__ import annotations

from collections.abc import Sequence

from lamina import backend, layers
from lamina.applications import building
from lamina.applications.imagenet_utils import decode_predictions
from lamina.models import Functional

__all__ = ["DenseNet", "DenseNet121", "DenseNet169", "DenseNet201", "conv_block",
           "decode_predictions", "dense_block", "preprocess_input", "transition_block"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
# Keras' MD5 of each model's files: (with the classifier, without it).
WEIGHTS_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
# Layers per dense block, by the model whose ImageNet files they match.
_BLOCKS = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
           (6, 12, 48, 32): "densenet201"}
_EPSILON = 1.001e-5



def dense_block(x, blocks: int, name: str):
    """`blocks` convolution blocks, each adding 32 channels."""
    for index in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{index + 1}")
    return x


def transition_block(x, reduction: float, name: str):
    """BatchNormalization, ReLU, a 1x1 convolution to `reduction` of the channels, and a 2x2
    average pooling."""
    bn_axis = building.channel_axis(3)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[bn_axis] * reduction), 1, use_bias=False,
                      name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate: int, name: str):
    """BN-ReLU-1x1 (4 * `growth_rate`), BN-ReLU-3x3 (`growth_rate`), concatenated to `x`."""
    bn_axis = building.channel_axis(3)
    x1 = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_0_bn")(x)
    x1 = layers.Activation("relu", name=f"{name}_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=f"{name}_1_bn")(x1)
    x1 = layers.Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False,
                       name=f"{name}_2_conv")(x1)
    return layers.Concatenate(axis=bn_axis, name=f"{name}_concat")([x, x1])


def DenseNet(blocks: Sequence[int], include_top: bool = True, weights="imagenet",
             input_tensor=None, input_shape=None, pooling: str | None = None,
             classes: int = 1000, classifier_activation="softmax",
             name: str = "densenet") -> Functional:
    """A DenseNet with `blocks[i]` layers in dense block i + 1; other arguments as for
    `DenseNet121`.

    Raises:
        ValueError: the `channels_first` image data format (Keras' DenseNet refuses it too),
            or invalid arguments (see `DenseNet121`).
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError("DenseNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=224, min_size=32)
    bn_axis = building.channel_axis(3)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = building.top(x, include_top=include_top, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, weights=weights)
    model = building.functional(img_input, input_tensor, x, name)
    fname = origin = file_hash = None
    weights_name = _BLOCKS.get(tuple(blocks))
    if weights == "imagenet" and weights_name is None:
        raise ValueError("weights_path undefined")
    if weights_name is not None:
        suffix = "" if include_top else "_notop"
        fname = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        origin = BASE_WEIGHTS_PATH + fname
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    builder = weights_name.replace("densenet", "DenseNet") if weights_name else "DenseNet"
    building.load_weights(model, weights, builder, fname, origin, file_hash)
    return model


_DOC = f"""Instantiates {{builder}}, with Keras' layer names and weight layout.

    The default input is 224x224 RGB; call `densenet.preprocess_input` on images in [0, 255]
    first (scaled to [0, 1], then normalized by ImageNet's mean and standard deviation).
    Only the `channels_last` image data format.

    Args:
        {building.ARGS_DOC.format(default_size=224, min_size=32)}

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation,
            or the `channels_first` image data format.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """


def DenseNet121(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "densenet121") -> Functional:
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation, name=name)


def DenseNet169(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "densenet169") -> Functional:
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation, name=name)


def DenseNet201(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "densenet201") -> Functional:
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation, name=name)


for _builder in (DenseNet121, DenseNet169, DenseNet201):
    _builder.__doc__ = _DOC.format(builder=_builder.__name__)
preprocess_input = building.preprocess_input_for("torch", "DenseNet")
