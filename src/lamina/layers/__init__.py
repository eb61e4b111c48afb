"""Keras layers on PyTorch: every layer is a `torch.nn.Module`.

The folders are Keras' layer families (core, convolutional, pooling, rnn, normalization,
regularization, reshaping, merging, activations, attention, preprocessing); each family's
`__init__` lists its public layers, and this module gathers them into `keras.layers`.
"""
from lamina.layers.activations import *  # noqa: F401,F403
from lamina.layers.attention import *  # noqa: F401,F403
from lamina.layers.convolutional import *  # noqa: F401,F403
from lamina.layers.core import *  # noqa: F401,F403
from lamina.layers.input_spec import InputSpec  # noqa: F401
from lamina.layers.layer import Layer  # noqa: F401
from lamina.layers.merging import *  # noqa: F401,F403
from lamina.layers.normalization import *  # noqa: F401,F403
from lamina.layers.pooling import *  # noqa: F401,F403
from lamina.layers.preprocessing import *  # noqa: F401,F403
from lamina.layers.regularization import *  # noqa: F401,F403
from lamina.layers.reshaping import *  # noqa: F401,F403
from lamina.layers.rnn import *  # noqa: F401,F403
from lamina.layers import (activations, attention, convolutional, core, merging, normalization,
                           pooling, preprocessing, regularization, reshaping, rnn)

__all__ = sorted({"InputSpec", "Layer", *activations.__all__, *attention.__all__,
                  *convolutional.__all__, *core.__all__, *merging.__all__, *normalization.__all__,
                  *pooling.__all__, *preprocessing.__all__, *regularization.__all__, *reshaping.__all__, *rnn.__all__})


def serialize(layer) -> dict:
    """The layer's Keras config dict (`keras.saving.serialize_keras_object` of it).

    Example:
        >>> serialize(Dense(3))["class_name"]
        'Dense'
    """
    from lamina.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None) -> Layer:
    """The layer a `serialize` dict describes; ValueError when it describes something else.

    Example:
        >>> deserialize(serialize(Dense(3))).units
        3
    """
    from lamina.saving.serialization_lib import deserialize_keras_object

    obj = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(obj, Layer):
        raise ValueError(f"`keras.layers.deserialize` was passed a `config` object that is not a "
                         f"`keras.layers.Layer`. Received: {config}")
    return obj


__all__ += ["deserialize", "serialize"]
