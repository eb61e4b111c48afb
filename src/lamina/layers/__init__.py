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
