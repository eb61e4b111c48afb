"""`keras.applications.resnet_v2`: ResNet50V2, ResNet101V2 and ResNet152V2 (He et al., ECCV
2016: identity mappings with pre-activation blocks).

`resnet.ResNet` with `preact=True` around stages of `resnet.stack_residual_blocks_v2`; the
three models differ only in how many blocks each stage has. Layer names, order and weight
shapes are Keras', so Keras' ImageNet files load.

Example:
    >>> model = ResNet50V2(include_top=False, weights=None, input_shape=(32, 32, 3),
    ...                    pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 2048), 23564800)
"""
from __future__ import annotations

from lamina.applications import building
from lamina.applications.imagenet_utils import decode_predictions
from lamina.applications.resnet import ResNet, stack_residual_blocks_v2
from lamina.models import Functional

__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2", "decode_predictions",
           "preprocess_input"]

# Blocks per stage (conv2 .. conv5).
_STAGE_BLOCKS = {"resnet50v2": (3, 4, 6, 3), "resnet101v2": (3, 4, 23, 3),
                 "resnet152v2": (3, 8, 36, 3)}


def _resnet_v2(weights_name: str, include_top, weights, input_tensor, input_shape, pooling,
               classes, classifier_activation, name) -> Functional:
    def stack_fn(x):
        for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512),
                                                      _STAGE_BLOCKS[weights_name])):
            x = stack_residual_blocks_v2(x, filters, blocks, stride1=1 if stage == 3 else 2,
                                         name=f"conv{stage + 2}")
        return x

    return ResNet(stack_fn, True, True, name=name, weights_name=weights_name,
                  include_top=include_top, weights=weights, input_tensor=input_tensor,
                  input_shape=input_shape, pooling=pooling, classes=classes,
                  classifier_activation=classifier_activation)


_DOC = f"""Instantiates {{builder}}, with Keras' layer names and weight layout.

    The default input is 224x224 RGB; call `resnet_v2.preprocess_input` on images in
    [0, 255] first (scales to [-1, 1]).

    Args:
        {building.ARGS_DOC.format(default_size=224, min_size=32)}

    Returns:
        A functional `Model`.

    Raises:
        ValueError: invalid `weights`, `input_shape`, `input_tensor`, `classes` or activation.
        OSError: the ImageNet weights are not cached and cannot be downloaded.
    """


def ResNet50V2(include_top: bool = True, weights="imagenet", input_tensor=None,
               input_shape=None, pooling: str | None = None, classes: int = 1000,
               classifier_activation="softmax", name: str = "resnet50v2") -> Functional:
    return _resnet_v2("resnet50v2", include_top, weights, input_tensor, input_shape, pooling,
                      classes, classifier_activation, name)


def ResNet101V2(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "resnet101v2") -> Functional:
    return _resnet_v2("resnet101v2", include_top, weights, input_tensor, input_shape, pooling,
                      classes, classifier_activation, name)


def ResNet152V2(include_top: bool = True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling: str | None = None, classes: int = 1000,
                classifier_activation="softmax", name: str = "resnet152v2") -> Functional:
    return _resnet_v2("resnet152v2", include_top, weights, input_tensor, input_shape, pooling,
                      classes, classifier_activation, name)


for _builder in (ResNet50V2, ResNet101V2, ResNet152V2):
    _builder.__doc__ = _DOC.format(builder=_builder.__name__)
preprocess_input = building.preprocess_input_for("tf", "ResNetV2")
