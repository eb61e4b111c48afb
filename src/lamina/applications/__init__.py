"""`keras.applications`: ImageNet networks with Keras' layout, for transfer learning.

`VGG16`, `VGG19`, `ResNet50`, `ResNet101`, `ResNet152` and `MobileNetV2` build the networks
of Keras' applications with the same layer names, order and weight shapes, so
`weights="imagenet"` loads Keras' published files (downloaded once into
`$LAMINA_HOME/models/`) and `weights="path.h5"` a Keras-written weights file. Each model's
module holds its `preprocess_input` and `decode_predictions`.

Example:
    >>> import lamina as keras
    >>> base = keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35,
    ...                                       include_top=False, weights=None)
    >>> base.trainable = False
    >>> inputs = keras.Input((96, 96, 3))
    >>> x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    >>> x = keras.layers.GlobalAveragePooling2D()(base(x, training=False))
    >>> model = keras.Model(inputs, keras.layers.Dense(1)(x))
    >>> model.output_shape, len(model.trainable_weights)
    ((None, 1), 2)
"""
from lamina.applications import imagenet_utils, mobilenet_v2, resnet, resnet50, vgg16, vgg19
from lamina.applications.mobilenet_v2 import MobileNetV2
from lamina.applications.resnet import ResNet50, ResNet101, ResNet152
from lamina.applications.vgg16 import VGG16
from lamina.applications.vgg19 import VGG19

__all__ = ["VGG16", "VGG19", "MobileNetV2", "ResNet50", "ResNet101", "ResNet152",
           "imagenet_utils", "mobilenet_v2", "resnet", "resnet50", "vgg16", "vgg19"]
