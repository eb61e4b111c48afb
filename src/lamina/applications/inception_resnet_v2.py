"""`keras.applications.inception_resnet_v2`: InceptionResNetV2 (Szegedy et al., AAAI 2017).

InceptionV3's stem, then three groups of Inception-ResNet blocks (10 "block35" at 35x35,
20 "block17" at 17x17, 10 "block8" at 8x8) with reduction modules between them. Each block
concatenates its branches, projects them back to its input's channels with a biased 1x1
convolution and adds them, scaled, to its input (`CustomScaleLayer`). As in Keras, the
blocks' concatenations and projections are named (`block35_1_mixed`, `block35_1_conv`) and
the other convolutions keep their automatic names, which is why Keras' legacy `.h5` files
(matched by layer order) load.

Example:
    >>> model = InceptionResNetV2(include_top=False, weights=None, input_shape=(75, 75, 3),
    ...                           pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 1536), 54336736)
"""
from __future__ import annotations

from lamina import layers
from lamina.applications import building
from lamina.applications.imagenet_utils import decode_predictions
from lamina.layers.layer import Layer
from lamina.models import Functional
from lamina.saving.object_registration import get_custom_objects

__all__ = ["CustomScaleLayer", "InceptionResNetV2", "conv2d_bn", "decode_predictions",
           "inception_resnet_block", "preprocess_input"]

BASE_WEIGHT_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                   "inception_resnet_v2/")
_NAME = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels"
# Keras' file name, URL and MD5, with the classifier (True) and without it.
WEIGHTS_FILES = {
    True: (f"{_NAME}.h5", f"{BASE_WEIGHT_URL}{_NAME}.h5", "e693bd0210a403b3192acc6073ad2e96"),
    False: (f"{_NAME}_notop.h5", f"{BASE_WEIGHT_URL}{_NAME}_notop.h5",
            "d19885ff4a710c122648d3b5c3b684e4"),
}


class CustomScaleLayer(Layer):
    """`inputs[0] + inputs[1] * scale`: a block's input plus its scaled residual.

    Args:
        scale: the residual's factor.

    Example:
        >>> import torch
        >>> CustomScaleLayer(0.5)([torch.ones(2), torch.full((2,), 4.0)])
        tensor([3., 3.])
    """

    _keras_module = "keras.src.applications.inception_resnet_v2"  # where Keras defines it, as its files name it


    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale}


# Keras writes this class under its bare name (module keras.src.applications.
# inception_resnet_v2), so Keras' .keras files of InceptionResNetV2 find it here by that name.
get_custom_objects().update({"CustomScaleLayer": CustomScaleLayer})


def conv2d_bn(x, filters: int, kernel_size, strides=1, padding: str = "same",
              activation="relu", use_bias: bool = False, name: str | None = None):
    """Convolution, then (without a bias) BatchNormalization without scale, then
    `activation` (unless None); named `name`, `{name}_bn` and `{name}_ac` when `name` is
    given."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=building.channel_axis(3), scale=False,
                                      name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _block_branches(x, block_type: str) -> list:
    if block_type == "block35":
        return [conv2d_bn(x, 32, 1),
                conv2d_bn(conv2d_bn(x, 32, 1), 32, 3),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1), 48, 3), 64, 3)]
    if block_type == "block17":
        return [conv2d_bn(x, 192, 1),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 128, 1), 160, [1, 7]), 192, [7, 1])]
    if block_type == "block8":
        return [conv2d_bn(x, 192, 1),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1), 224, [1, 3]), 256, [3, 1])]
    raise ValueError(f'Unknown Inception-ResNet block type. Expects "block35", "block17" or '
                     f'"block8", but got: {block_type}')


def inception_resnet_block(x, scale: float, block_type: str, block_idx: int,
                           activation="relu"):
    """An Inception-ResNet block: `activation(x + scale * residual)`, its layers named
    `{block_type}_{block_idx}_...`.

    Args:
        scale: the residual's factor.
        block_type: "block35", "block17" or "block8" (the branches of the residual).
        block_idx: the block's number in its group, for the names.
        activation: the activation after the sum (None: none).

    Raises:
        ValueError: an unknown `block_type`.
    """
    branches = _block_branches(x, block_type)
    block_name = f"{block_type}_{block_idx}"
    axis = building.channel_axis(3)
    mixed = layers.Concatenate(axis=axis, name=f"{block_name}_mixed")(branches)
    up = conv2d_bn(mixed, x.shape[axis], 1, activation=None, use_bias=True,
                   name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


def InceptionResNetV2(include_top: bool = True, weights="imagenet", input_tensor=None,
                      input_shape=None, pooling: str | None = None, classes: int = 1000,
                      classifier_activation="softmax",
                      name: str = "inception_resnet_v2") -> Functional:
    img_input = building.model_input(input_tensor, input_shape, weights=weights,
                                     include_top=include_top, classes=classes,
                                     default_size=299, min_size=75)
    axis = building.channel_axis(3)
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    # Mixed 5b, an Inception-A module: 35 x 35 x 320.
    branches = [conv2d_bn(x, 96, 1),
                conv2d_bn(conv2d_bn(x, 48, 1), 64, 5),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3),
                conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)]
    x = layers.Concatenate(axis=axis, name="mixed_5b")(branches)
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    # Mixed 6a, reduction A: 17 x 17 x 1088.
    branches = [conv2d_bn(x, 384, 3, strides=2, padding="valid"),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 256, 3), 384, 3, strides=2,
                          padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    x = layers.Concatenate(axis=axis, name="mixed_6a")(branches)
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    # Mixed 7a, reduction B: 8 x 8 x 2080.
    branches = [conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid"),
                conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid"),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 288, 3), 320, 3, strides=2,
                          padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    x = layers.Concatenate(axis=axis, name="mixed_7a")(branches)
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8",
                               block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    x = building.top(x, include_top=include_top, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, weights=weights,
                     pool_names=(None, None))
    model = building.functional(img_input, input_tensor, x, name)
    building.load_weights(model, weights, "InceptionResNetV2",
                          *WEIGHTS_FILES[bool(include_top)])
    return model


InceptionResNetV2.__doc__ = f"""Instantiates InceptionResNetV2, with Keras' layer names and
    weight layout.

    The default input is 299x299 RGB; call `inception_resnet_v2.preprocess_input` on images
    in [0, 255] first (scales to [-1, 1]).

    Args:
        {building.ARGS_DOC.format(default_size=299, min_size=75)}

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """
preprocess_input = building.preprocess_input_for("tf", "InceptionResNetV2")
