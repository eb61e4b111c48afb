"""Keras layers on PyTorch: every layer is a `torch.nn.Module`."""
from lamina.layers.base import Layer
from lamina.layers.core import Activation, Dense, Dropout, Input, InputLayer
from lamina.layers.identity import Identity
from lamina.layers.lambda_layer import Lambda
from lamina.layers.merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,
                                   Subtract, add, average, concatenate, dot, maximum, minimum,
                                   multiply, subtract)
from lamina.layers.reshaping import Flatten, Reshape

__all__ = [
    "Layer", "Activation", "Dense", "Dropout", "Input", "InputLayer", "Flatten", "Reshape",
    "Add", "Average", "Concatenate", "Maximum", "Minimum", "Multiply", "Subtract",
    "add", "average", "concatenate", "maximum", "minimum", "multiply", "subtract",
    "Dot", "dot", "Identity", "Lambda",
]
