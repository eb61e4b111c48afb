"""`keras.applications.vgg19`: VGG19 (Simonyan & Zisserman, ICLR 2015) and its preprocessing.

Example:
    >>> model = VGG19(include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg")
    >>> model.output_shape, model.count_params()
    ((None, 512), 20024384)
"""
from __future__ import annotations

from lamina.applications import imagenet_utils
from lamina.applications.vgg import VGG
from lamina.models import Functional

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
WEIGHTS_FILES = {
    True: ("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
           _BASE + "vgg19_weights_tf_dim_ordering_tf_kernels.h5",
           "cbe5617147190e668d6c5d5026f83318"),
    False: ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            _BASE + "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "253f8cb515780f3b799900260a226db6"),
}


def VGG19(include_top: bool = True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling: str | None = None, classes: int = 1000, classifier_activation="softmax",
          name: str = "vgg19") -> Functional:
    """Instantiates VGG19, with Keras' layer names and weight layout.

    The default input is 224x224 RGB; call `vgg19.preprocess_input` on images in [0, 255]
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
    return VGG((2, 2, 4, 4, 4), include_top, weights, input_tensor, input_shape, pooling,
               classes, classifier_activation, name, WEIGHTS_FILES, builder="VGG19")


def preprocess_input(x, data_format: str | None = None):
    """VGG19's preprocessing: RGB -> BGR, then ImageNet's mean pixel subtracted ("caffe").

    See `imagenet_utils.preprocess_input` for the arguments.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5) -> list:
    """The top classes of ImageNet predictions; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
