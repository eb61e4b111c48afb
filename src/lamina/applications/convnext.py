"""`keras.applications.convnext`: ConvNeXtTiny, Small, Base, Large and XLarge (Liu et al.,
CVPR 2022).

A patchify stem (4x4 convolution, stride 4) and three downsampling steps between four stages
of ConvNeXt blocks: a 7x7 depthwise convolution, LayerNormalization, an inverted MLP of two
Dense layers with GELU, a learned per-channel scale (`LayerScale`) and a residual add. The
model normalizes pixels in [0, 255] itself (`include_preprocessing=True`), so
`preprocess_input` returns its input. Layer names, order and weight paths are Keras' (the
stem and downsampling steps are nested `Sequential` models, as there), so Keras' ImageNet
files and `.keras` files of these models load.

Example:
    >>> model = ConvNeXtTiny(include_top=False, weights=None, input_shape=(32, 32, 3),
    ...                      pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 768), 27820128)
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from lamina import backend, initializers, layers
from lamina.applications import building, imagenet_utils
from lamina.applications.imagenet_utils import decode_predictions
from lamina.layers.layer import Layer
from lamina.models import Functional, Sequential
from lamina.ops.node import get_source_inputs
from lamina.saving.object_registration import get_custom_objects

__all__ = ["ConvNeXt", "ConvNeXtBase", "ConvNeXtBlock", "ConvNeXtLarge", "ConvNeXtSmall",
           "ConvNeXtTiny", "ConvNeXtXLarge", "LayerScale", "StochasticDepth",
           "decode_predictions", "preprocess_input"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
# Keras' SHA-256 of each variant's files: (with the classifier, without it).
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
# Each variant's blocks per stage and channels per stage (Keras' MODEL_CONFIGS).
MODEL_CONFIGS = {
    variant: {"depths": depths, "projection_dims": dims, "default_size": 224}
    for variant, depths, dims in (
        ("tiny", [3, 3, 9, 3], [96, 192, 384, 768]),
        ("small", [3, 3, 27, 3], [96, 192, 384, 768]),
        ("base", [3, 3, 27, 3], [128, 256, 512, 1024]),
        ("large", [3, 3, 27, 3], [192, 384, 768, 1536]),
        ("xlarge", [3, 3, 27, 3], [256, 512, 1024, 2048]))}
# The builder of each weights variant, for messages.
_BUILDERS = {"convnext_tiny": "ConvNeXtTiny", "convnext_small": "ConvNeXtSmall",
             "convnext_base": "ConvNeXtBase", "convnext_large": "ConvNeXtLarge",
             "convnext_xlarge": "ConvNeXtXLarge"}


class StochasticDepth(Layer):
    """Drops the residual branch of whole samples during training (drop path), scaling the
    kept ones by `1 / (1 - drop_path_rate)`; the identity at inference.

    Args:
        drop_path_rate: probability of dropping a sample's branch, in [0, 1].

    Example:
        >>> StochasticDepth(0.5)(torch.ones(2, 3), training=False)
        tensor([[1., 1., 1.],
                [1., 1., 1.]])
    """

    _keras_module = "keras.src.applications.convnext"  # where Keras defines it, as its files name it


    def __init__(self, drop_path_rate: float, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        keep = torch.floor(keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device))
        return x / keep_prob * keep

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


class LayerScale(Layer):
    """Multiplies its inputs by a learned per-channel scale (Touvron et al., 2021), started at
    `init_values`.

    Args:
        init_values: the scale's initial value (small, e.g. 1e-6).
        projection_dim: the number of channels (the inputs' last axis).

    Example:
        >>> LayerScale(0.5, 3)(torch.ones(1, 3)).tolist()
        [[0.5, 0.5, 0.5]]
    """

    _keras_module = "keras.src.applications.convnext"  # where Keras defines it, as its files name it


    def __init__(self, init_values: float, projection_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape) -> None:
        # Unnamed, as in Keras: its path is `<layer>/variable`, `<layer>/variable_1`, ...
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


# Keras writes these classes under their bare names (module keras.src.applications.convnext),
# so Keras' .keras files of ConvNeXt find them here by that name.
get_custom_objects().update({"LayerScale": LayerScale, "StochasticDepth": StochasticDepth})


def ConvNeXtBlock(projection_dim: int, drop_path_rate: float = 0.0,
                  layer_scale_init_value: float | None = 1e-6,
                  name: str | None = None) -> Callable:
    """The ConvNeXt block, as a function of its input tensor: 7x7 depthwise convolution,
    LayerNormalization, Dense to 4x the channels, GELU, Dense back, `LayerScale` (unless
    `layer_scale_init_value` is None), drop path (an identity Activation when
    `drop_path_rate` is 0), added to the input."""
    name = name if name is not None else f"prestem{backend.get_uid('prestem')}"

    def apply(inputs):
        x = layers.Conv2D(filters=projection_dim, kernel_size=7, padding="same",
                          groups=projection_dim, name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim,
                           name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            residual = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            residual = layers.Activation("linear", name=f"{name}_identity")
        return inputs + residual(x)

    return apply


def _stem_and_downsampling(projection_dims, name: str) -> list:
    """The patchify stem and the three downsampling steps, each a named `Sequential`."""
    stem = Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")
    return [stem] + [Sequential([
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
        layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                      name=f"{name}_downsampling_conv_{i}"),
    ], name=f"{name}_downsampling_block_{i}") for i in range(3)]


def _check_imagenet_variant(depths, projection_dims, name: str, weights_name) -> None:
    """Keras' checks that a model asking for ImageNet weights is the variant they fit."""
    if weights_name not in WEIGHTS_HASHES:
        raise ValueError(f"ImageNet weights exist only for the variants "
                         f"{sorted(WEIGHTS_HASHES)}; build one with ConvNeXtTiny(...) etc. "
                         f"Received: weights_name={weights_name!r}")
    expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
    if list(depths) != expected["depths"] or list(projection_dims) != expected["projection_dims"]:
        raise ValueError(f"Architecture configuration does not match {weights_name} variant. "
                         f"When using pre-trained weights, the model architecture must match "
                         f"the pre-trained configuration exactly. Expected depths: "
                         f"{expected['depths']}, got: {depths}. Expected projection_dims: "
                         f"{expected['projection_dims']}, got: {projection_dims}.")
    if weights_name not in name:
        raise ValueError(f'Model name "{name}" does not match weights variant "{weights_name}". '
                         f"When using imagenet weights, model name must contain the weights "
                         f'variant (e.g., "convnext_{weights_name.split("convnext_")[-1]}").')


def ConvNeXt(depths, projection_dims, drop_path_rate: float = 0.0,
             layer_scale_init_value: float | None = 1e-6, default_size: int = 224,
             name: str = "convnext", include_preprocessing: bool = True,
             include_top: bool = True, weights=None, input_tensor=None, input_shape=None,
             pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
             weights_name: str | None = None) -> Functional:
    """A ConvNeXt of `depths` blocks and `projection_dims` channels per stage, with drop path
    rising linearly to `drop_path_rate`; other arguments as for `ConvNeXtTiny`.

    Raises:
        ValueError: invalid arguments (see `ConvNeXtTiny`), or ImageNet weights asked for a
            model that is not their variant (other depths, dims, or a name without
            `weights_name`).
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. "
                         "Switch to `channels_last` by editing your local config file at "
                         "~/.keras/keras.json")
    building.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = building.image_input(input_tensor, input_shape)
    # Keras takes the first source input only.
    inputs = img_input if input_tensor is None else get_source_inputs(input_tensor)[0]
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                                 variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2,
                                           (0.225 * 255) ** 2],
                                 name=f"{name}_prestem_normalization")(x)
    drop_rates = [float(rate) for rate in np.linspace(0.0, drop_path_rate, sum(depths))]
    first = 0
    for stage, downsample in enumerate(_stem_and_downsampling(projection_dims, name)):
        x = downsample(x)
        for block in range(depths[stage]):
            x = ConvNeXtBlock(projection_dims[stage], drop_path_rate=drop_rates[first + block],
                              layer_scale_init_value=layer_scale_init_value,
                              name=f"{name}_stage_{stage}_block_{block}")(x)
        first += depths[stage]
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation, name=f"{name}_head_dense")(x)
    else:
        x = building.top(x, include_top=False, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, weights=weights,
                         pool_names=(None, None))
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Functional(inputs, x, name=name)
    fname = origin = file_hash = None
    if weights == "imagenet":
        _check_imagenet_variant(depths, projection_dims, name, weights_name)
        fname = name + (".h5" if include_top else "_notop.h5")
        origin = BASE_WEIGHTS_PATH + fname
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    building.load_weights(model, weights, _BUILDERS.get(weights_name, "ConvNeXt"), fname, origin,
                          file_hash)
    return model


_DOC = """Instantiates {builder}, with Keras' layer names and weight layout.

    The model takes pixels in [0, 255] and normalizes them with ImageNet's mean and variance
    itself (unless `include_preprocessing=False`; `convnext.preprocess_input` returns its
    input). ImageNet weights were trained at 224x224{pretraining}. Only `channels_last`.

    Args:
        {args}
        include_preprocessing: whether the model normalizes [0, 255] pixels itself.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation,
            `channels_first` images, or ImageNet weights with a `name` that does not contain
            "{weights_name}".
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """


def _variant(variant: str, builder_name: str) -> Callable:
    config = MODEL_CONFIGS[variant]
    weights_name = f"convnext_{variant}"

    def builder(include_top: bool = True, include_preprocessing: bool = True,
                weights="imagenet", input_tensor=None, input_shape=None,
                pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = weights_name) -> Functional:
        return ConvNeXt(config["depths"], config["projection_dims"], drop_path_rate=0.0,
                        layer_scale_init_value=1e-6, default_size=config["default_size"],
                        name=name, include_preprocessing=include_preprocessing,
                        include_top=include_top, weights=weights, input_tensor=input_tensor,
                        input_shape=input_shape, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation, weights_name=weights_name)

    builder.__name__ = builder.__qualname__ = builder_name
    pretraining = ("" if variant in ("tiny", "small")
                   else " (pre-trained on ImageNet-21k, fine-tuned on ImageNet-1k)")
    builder.__doc__ = _DOC.format(builder=builder_name, pretraining=pretraining,
                                  weights_name=weights_name,
                                  args=building.ARGS_DOC.format(default_size=224, min_size=32))
    return builder


ConvNeXtTiny = _variant("tiny", "ConvNeXtTiny")
ConvNeXtSmall = _variant("small", "ConvNeXtSmall")
ConvNeXtBase = _variant("base", "ConvNeXtBase")
ConvNeXtLarge = _variant("large", "ConvNeXtLarge")
ConvNeXtXLarge = _variant("xlarge", "ConvNeXtXLarge")
preprocess_input = building.passthrough_preprocess_input
