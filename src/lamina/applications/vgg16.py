"""`keras.applications.vgg16`: VGG16 (Simonyan & Zisserman, ICLR 2015) and its preprocessing.

Example:
    >>> model = VGG16(include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 512), 14714688)
"""
from __future__ import annotations

from lamina.applications import imagenet_utils
from lamina.applications.vgg import VGG
from lamina.models import Functional

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
WEIGHTS_FILES = {
    True: ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
           _BASE + "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
           "64373286793e3c8b2b4e3219cbf3544b"),
    False: ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            _BASE + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc"),
}


def VGG16(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
          name: str = "vgg16") -> Functional:
    """Instantiates VGG16, with Keras' layer names and weight layout.

    The default input is 224x224 RGB; call `vgg16.preprocess_input` on images in [0, 255]
    first (RGB -> BGR, ImageNet mean subtracted, no scaling).

    Args:
        include_top: whether to include the 3 fully-connected layers at the top.
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
    return VGG((2, 2, 3, 3, 3), include_top, weights, input_tensor, input_shape, pooling,
               classes, classifier_activation, name, WEIGHTS_FILES, builder="VGG16")


def preprocess_input(x, data_format: str | None = None):
    """VGG16's preprocessing: RGB -> BGR, then ImageNet's mean pixel subtracted ("caffe").

    See `imagenet_utils.preprocess_input` for the arguments.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5) -> list:
    """The top classes of ImageNet predictions; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
