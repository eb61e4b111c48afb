"""`keras.applications.resnet50`: ResNet50 and its preprocessing, as in `resnet`.

Example:
    >>> ResNet50 is lamina.applications.ResNet50
    True
"""
from lamina.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
